"""What a report card shows (phiếu báo kết quả học tập), as plain data.

`Card` is everything printed on one pupil's card, already formatted the Vietnamese way
(decimal comma, dd/mm/yyyy), so the PDF template only lays it out and the content hash covers
exactly what is printed. Only PUBLISHED scores count: an unpublished score, and any average
computed from it, never reaches a card.

Grades 6–12 follow Circular 22 (scores, averages, learning and conduct results, titles,
promotion). Grades 1–5 follow Circular 27 (`Card.primary`): each subject's rating in words and
its written tests, the qualities and competencies, and on the year card the year result
(Hoàn thành xuất sắc … Chưa hoàn thành), whether the pupil completes the grade and Art. 13's
title. No average, no conduct and no ranking on a primary card: the circular forbids comparing
pupils. Year cards of every grade print the school's awards (Khen thưởng, reports.models.Award).

The modules, one for each part of a card's making:

- `model.py`: the card as data (`Card`, `SubjectLine`, `QualityGroup`, `QualityLine`) and its
  content hash;
- `selectors.py`: the entry points, `cards_for`, `term_cards` and `year_cards`;
- `loading.py`: what a class's cards read, in a fixed number of queries;
- `printing.py`: numbers, dates and names as a card prints them, and the shared header;
- `secondary.py`: a term card and a year card of grades 6–12 (Circular 22);
- `primary.py`: the cards of grades 1–5 (Circular 27).
"""
