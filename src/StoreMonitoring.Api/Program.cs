using StoreMonitoring;
using StoreMonitoring.Api;
using StoreMonitoring.Api.Debug;
using StoreMonitoring.Api.Home;
using StoreMonitoring.Api.Import;
using StoreMonitoring.Api.Reports;
using StoreMonitoring.Api.Webhooks;

var builder = WebApplication.CreateBuilder(args);

builder.UseDefaultUrls("http://localhost:8000");
builder.Services.AddStoreMonitoring();
builder.Services.AddReportWorker();
builder.Services.AddWebhookWorker();
builder.Services.AddApiDefaults();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
if (app.Environment.IsDevelopment())
{
    app.UseHttpLogging();
}

app.MapApiDocs();
app.MapHome();
app.MapImport();
app.MapDebugData();
app.MapReports();
app.MapWebhooks();

app.Run();

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
