namespace StoreMonitoring.Import;

/// <summary>
/// An input file opened for one import: a regular file inside the data directory, read as strict
/// UTF-8, and checked at the end to be the same file, whole, that the import started on.
/// </summary>
internal sealed class InputFile : IDisposable
{
    /// <summary>No row of any input file comes near this; a longer line is a broken or hostile file.</summary>
    public const long MaxLineChars = 1 << 20;

    private readonly FileStream _stream;
    private readonly long _length;
    private readonly DateTime _lastWrite;

    private InputFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
        _length = stream.Length;
        _lastWrite = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
        Reader = new CheckedTextReader(stream, MaxLineChars);
    }

    public string Path { get; }

    public CheckedTextReader Reader { get; }

    /// <summary>How far the read has got, 0 to 1, for progress lines.</summary>
    public double Fraction => _length == 0 ? 1 : Math.Min(1, (double)Reader.BytesRead / _length);

    /// <summary>Opens <paramref name="path"/>, refusing anything that is not a regular file inside <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidInputFileException">A link, a device, a folder, or a path outside the directory.</exception>
    public static InputFile Open(string directory, string path)
    {
        var info = new FileInfo(path);
        var root = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory)) + System.IO.Path.DirectorySeparatorChar;
        // Links are refused outright, even ones that point inside: following them is how a file
        // outside the data directory would get read and echoed back.
        if (info.LinkTarget is not null || !info.FullName.StartsWith(root, StringComparison.Ordinal) || (info.Attributes & (FileAttributes.Directory | FileAttributes.Device | FileAttributes.ReparsePoint)) != 0)
        {
            throw new InvalidInputFileException("not a regular file inside the data directory (links are not followed); nothing of this file was applied");
        }

        var stream = OpenWithoutWaiting(path);
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new InvalidInputFileException("not a regular file inside the data directory (a pipe, socket or device); nothing of this file was applied");
        }

        return new InputFile(path, stream);
    }

    /// <summary>
    /// Opening a named pipe for reading waits until something writes to it, which would hang the
    /// import; on Linux the file is opened non-blocking, so a pipe opens at once and is then
    /// refused for not being seekable. A regular file reads the same either way.
    /// </summary>
    private static FileStream OpenWithoutWaiting(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }

        const int ReadOnlyNonBlockingCloseOnExec = 0x800 | 0x80000;
        var descriptor = NativeMethods.Open(path, ReadOnlyNonBlockingCloseOnExec);
        if (descriptor < 0)
        {
            // The portable path gives the usual exception (not found, access denied).
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }

        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(descriptor, ownsHandle: true), FileAccess.Read, 1 << 16);
    }

    /// <summary>
    /// Refuses a file that changed while it was read (it shrank, grew or was rewritten, as when it is
    /// still being copied in): what was read may be a torn copy of it.
    /// </summary>
    public void EnsureUnchanged()
    {
        var now = new FileInfo(Path);
        if (Reader.BytesRead != _length || !now.Exists || now.Length != _length || now.LastWriteTimeUtc != _lastWrite)
        {
            throw new InvalidInputFileException($"changed while being read ({_length:N0} bytes at the start, {(now.Exists ? now.Length : 0):N0} now, {Reader.BytesRead:N0} read); nothing of this file was applied, import it again once it is complete");
        }
    }

    /// <summary>SHA-256 of the whole file, read at explicit offsets: the reader's position does not move.</summary>
    public byte[] Sha256()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long offset = 0;
        int read;
        while ((read = RandomAccess.Read(_stream.SafeFileHandle, buffer, offset)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            offset += read;
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Whether <paramref name="other"/>, opened earlier, was the same version of the file (size and last write) when it was opened.</summary>
    public bool SameVersionAs(InputFile other) => other._length == _length && other._lastWrite == _lastWrite;

    /// <summary>
    /// Between the commits of a file imported in chunks: refuses to commit more once the file is
    /// no longer the one that was opened. Unlike <see cref="EnsureUnchanged"/>, the read is not expected to be at the end.
    /// </summary>
    public void EnsureNotRewritten()
    {
        var now = new FileInfo(Path);
        if (!now.Exists || now.Length != _length || now.LastWriteTimeUtc != _lastWrite)
        {
            throw new InvalidInputFileException($"changed while being read ({_length:N0} bytes at the start, {(now.Exists ? now.Length : 0):N0} now); nothing of this file was applied, import it again once it is complete");
        }
    }

    public void Dispose()
    {
        Reader.Dispose();
        _stream.Dispose();
    }
}

internal static partial class NativeMethods
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "open", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags);
}
