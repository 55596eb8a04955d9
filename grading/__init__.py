"""The Ministry's assessment rules as pure functions: no Django, no database.

- `grading.circular22`: grades 6–12 (Circular 22/2021/TT-BGDĐT).
- `grading.circular27`: grades 1–5 (Circular 27/2020/TT-BGDĐT).
- `grading.errors`: what they raise; each error has a machine-readable `code` for
  callers to translate and a plain Vietnamese `message`.

Kept free of Django so that the grade grid, the report renderer, the admin and command-line
tools all compute the same numbers, and so that the tables of worked examples run in
milliseconds without a database.
"""
