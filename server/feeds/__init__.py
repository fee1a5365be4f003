"""A coach's attendance feeds: what a feed holds (content), the secret links that open one
(tokens), the links as the coach keeps them (links), a feed handed out behind its link
(delivery), and one module per format a coach's own tools read: JSON for a case system,
CSV and XLSX for a spreadsheet, iCalendar for Outlook or Google Calendar."""
