"""A coach's attendance feeds: what a feed holds (content), the secret links that open one
(tokens), and one module per format a coach's own tools read: JSON for a case system, CSV
and XLSX for a spreadsheet, iCalendar for Outlook or Google Calendar."""
