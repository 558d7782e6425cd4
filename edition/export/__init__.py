"""Exports: the edition in the formats of the digital-edition ecosystem.

- `tei.document_tei(doc, edition)` / `tei.corpus_tei(edition)`: TEI P5 XML,
  one file per document or one `teiCorpus` (read back by
  `edition.importers.tei`);
- `json.edition_json(edition)`: the whole model as JSON ("edition.json/1")
  for scripts;
- `apparatus.collation_tei(doc, apparatus)`: a collation on its own.

Exports read the model and return bytes or plain data; writing files is the
caller's (`edition.api.export`)."""
