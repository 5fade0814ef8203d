using System.Data.Common;
using Dapper;

namespace StoreMonitoring.Import;

/// <summary>
/// The content hash of the hours and time-zone snapshots last applied: the same file imported again
/// is recognised and skipped, so a second import of unchanged files changes nothing, not even the
/// edits made since through <c>PUT /stores/{id}/hours</c> or <c>/timezone</c>.
/// </summary>
internal static class SnapshotFiles
{
    public sealed record AppliedFile(string FileName, long RowsRead, long Rejected, long AppliedAtUs);

    /// <summary>SHA-256 of the file's bytes, read through its own handle without moving the import's position.</summary>
    public static string Hash(InputFile file) => Convert.ToHexStringLower(file.Sha256());

    /// <summary>The last applied snapshot of <paramref name="kind"/>, when its content is <paramref name="sha256"/>.</summary>
    public static AppliedFile? Applied(DbConnection connection, InputKind kind, string sha256) =>
        connection.QuerySingleOrDefault<AppliedFile>(
            "SELECT file_name AS FileName, rows_read AS RowsRead, rejected AS Rejected, applied_at_us AS AppliedAtUs FROM snapshot_files WHERE kind = @kind AND sha256 = @sha256",
            new { kind = Kind(kind), sha256 });

    public static void Record(DbConnection connection, DbTransaction transaction, InputKind kind, string sha256, string fileName, long rowsRead, long rejected, long appliedAtUs)
    {
        connection.Execute("DELETE FROM snapshot_files WHERE kind = @kind", new { kind = Kind(kind) }, transaction);
        connection.Execute(
            "INSERT INTO snapshot_files (kind, sha256, file_name, rows_read, rejected, applied_at_us) VALUES (@kind, @sha256, @fileName, @rowsRead, @rejected, @appliedAtUs)",
            new { kind = Kind(kind), sha256, fileName = fileName.Length > 255 ? fileName[..255] : fileName, rowsRead, rejected, appliedAtUs },
            transaction);
    }

    private static string Kind(InputKind kind) => kind == InputKind.BusinessHours ? "business_hours" : "timezones";
}
