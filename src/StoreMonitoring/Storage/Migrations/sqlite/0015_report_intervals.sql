-- The learned method's 90 % credible interval of each window's uptime (microseconds); NULL for
-- the methods that have none.
ALTER TABLE report_rows ADD COLUMN hour_up_low INTEGER NULL;
ALTER TABLE report_rows ADD COLUMN hour_up_high INTEGER NULL;
ALTER TABLE report_rows ADD COLUMN day_up_low INTEGER NULL;
ALTER TABLE report_rows ADD COLUMN day_up_high INTEGER NULL;
ALTER TABLE report_rows ADD COLUMN week_up_low INTEGER NULL;
ALTER TABLE report_rows ADD COLUMN week_up_high INTEGER NULL;
