"""Support code for the translate stage's tests: builders of real, tiny Argos packages."""
