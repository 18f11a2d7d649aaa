"""Pure analysis and reporting over a run folder's raw files (results/<timestamp>-<app>/)."""
