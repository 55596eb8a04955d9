"""The grade book, one module per area: `columns` (which columns a subject has by the rules,
typing a cell in and reading it back, a row's term result: what reports import), `reads` (a
class's grid, the homeroom sheet, a pupil's history and published grades), `writes` (saving a
grid or the homeroom sheet, all or nothing with history; publishing a column to guardians).
A term's lifecycle (the open-term guard, closing, reopening) is school/terms.py; the term
queries are Term.objects (of_year, containing, current).

Writes are services (one transaction each); reads that pages share are selectors with a fixed
number of queries (tests pin them). Averages come from grading.circular22 only.
"""
