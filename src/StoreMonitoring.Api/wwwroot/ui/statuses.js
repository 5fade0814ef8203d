// A report's status as the API shows it. The one mapping is ReportStatuses in
// src/StoreMonitoring/Reports/ReportJob.cs; the browser cannot read it, so it is repeated here and
// UiStatusesTests fails when the two differ.
export const ReportStatus = Object.freeze({
  pending: 'Pending',
  running: 'Running',
  complete: 'Complete',
  error: 'Error',
});
