"""Signing in: one-time codes to a family's phone, staff's second factor, and the sessions a
person can see and end. Above the contact book, whose outbox carries the codes; below reports."""
