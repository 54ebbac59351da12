"""Formal requests as documents: DOCX (editable, for signature on paper) and PDF, with their fixed
text in the six UN languages. Entry points:

- render.render_docx(document, lang=None) / render.render_pdf(document, lang=None) -> bytes
- language.choose_document_language(requested_languages, preferred) -> (language, translation)
- inputs.parse_document(raw) -> RequestDocument (the CLI's and the API's input, 5 MB at most)
"""
