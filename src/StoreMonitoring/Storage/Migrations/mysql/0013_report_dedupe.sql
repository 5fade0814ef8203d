-- The kind of report a queued or running report is (its method and its end of windows), NULL once
-- it is finished: unique, so that identical triggers through several instances, or several nodes
-- of a cluster, queue one report and are all answered with it.
ALTER TABLE report_jobs ADD COLUMN active_key VARCHAR(64) NULL;
CREATE UNIQUE INDEX ux_report_jobs_active_key ON report_jobs (active_key);
