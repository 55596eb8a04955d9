"""Personal data (Luật Bảo vệ dữ liệu cá nhân / Nghị định 13): a guardian's copy of what is held
about their child, correction requests, and anonymising a pupil who has left. On top of every
feature app, whose data it gathers."""
