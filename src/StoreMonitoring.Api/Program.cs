using StoreMonitoring;
using StoreMonitoring.Api;
using StoreMonitoring.Api.Debug;
using StoreMonitoring.Api.Home;
using StoreMonitoring.Api.Import;
using StoreMonitoring.Api.Incidents;
using StoreMonitoring.Api.Operations;
using StoreMonitoring.Api.Polls;
using StoreMonitoring.Api.Reports;
using StoreMonitoring.Api.Security;
using StoreMonitoring.Api.Stores;
using StoreMonitoring.Api.Ui;
using StoreMonitoring.Api.Webhooks;

if (Startup.WantsHelp(args))
{
    Console.Out.Write(Startup.Help);
    return Startup.Ok;
}

// Whatever ends start-up is one line and a small exit code, not a stack trace (under
// WebApplicationFactory the entry point's exceptions go to the test instead).
Startup.ReportFailuresUntilStarted();

var builder = WebApplication.CreateBuilder(args);

builder.UseDefaultUrls("http://localhost:8000");
builder.QuietStartupFailures();
builder.Services.AddStoreMonitoring();
builder.Services.AddReportWorker();
builder.Services.AddWebhookWorker();
builder.Services.AddRetention();
builder.Services.AddApiDefaults();
builder.Services.AddHealthEndpoints();
builder.AddApiKeyAuthentication();
builder.AddRequestLimits();
builder.UseProblemDetailsForServerRefusals();
builder.AddResponseSecurity();
builder.AddTelemetry();

var app = builder.Build();
var access = app.CheckApiAccess();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseReverseProxyHeaders();
app.UseResponseSecurity();
if (app.Environment.IsDevelopment())
{
    app.UseHttpLogging();
}

app.UseRouting();
app.UseAuthentication();
app.UseRequestLimits();
app.UseAuthorization();

app.MapDocs();
app.MapHome();
app.MapHealthEndpoints();
app.MapMetrics();
app.MapImport(allowGet: !access.KeysRequired);
app.MapDebugData();
app.MapReports();
app.MapPolls();
app.MapStores();
app.MapIncidents();
app.MapStoreDays();
app.MapWebhooks();
app.MapUi();

app.CheckBeforeStart();
app.Run();
return Startup.Ok;

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
