"""The draft check, one module per kind of check; ``drafter.check`` runs them together.

paragraphs (reading a draft into numbered paragraphs) → formulations (drafter.formulations)
→ usage (wording and punctuation rules) → timeliness (sessions of the Party and the union)
→ copies (verbatim and near copies of the corpus) → numbers (figures not the unit's own)
→ structure (placeholders, missing chapters, figures left out).
"""
