"""Typesetting shared by cards (drawing titles) and validate (SERP pixel widths): scripts, fonts, runs, breaks.

One place decides which font draws which character and how a line of mixed scripts is shaped, so a title that
validate measured as fitting is measured by the same fonts the card draws it with.
"""
