-- A filed report's files as they were sent (migration 113 kept the report's figures): the Excel
-- workbook, the CSV, the printable page and the rows they were written from. Downloaded again,
-- a filing gives these very bytes, whatever a later version of Loa changes in how reports are
-- laid out; the rows are what the report page compares with the figures counted now.
ALTER TABLE report_filings ADD COLUMN rows TEXT;
ALTER TABLE report_filings ADD COLUMN xlsx BLOB;
ALTER TABLE report_filings ADD COLUMN csv TEXT;
ALTER TABLE report_filings ADD COLUMN html TEXT;
