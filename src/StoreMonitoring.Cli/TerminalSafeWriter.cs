using System.Text;
using StoreMonitoring.Stores;

namespace StoreMonitoring.Cli;

/// <summary>
/// Everything storemon prints goes through this: ids, rejected rows and their reasons, file names
/// and error messages all come from input, and an ESC, CSI or OSC sequence in any of them would
/// otherwise reach the terminal (recolour it, move the cursor, set its title, hide what follows).
/// Control, format and bidirectional characters are printed as <c>\uXXXX</c>; only line breaks
/// and tabs pass, the layout storemon itself writes. The report's CSV goes to its own raw stream.
/// </summary>
internal sealed class TerminalSafeWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value)
    {
        if (value is '\n' or '\t')
        {
            inner.Write(value);
        }
        else
        {
            inner.Write(StoreIds.Printable(value.ToString()));
        }
    }

    public override void Write(string? value) => inner.Write(Escape(value));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => inner.WriteLine(Escape(value));

    public override void WriteLine() => inner.WriteLine();

    public override Task WriteAsync(string? value) => inner.WriteAsync(Escape(value));

    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(Escape(value));

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();

    /// <summary>Installs the writer on standard output and error; returns the raw error stream, for the progress line's carriage return.</summary>
    public static TextWriter Install()
    {
        var rawError = Console.Error;
        Console.SetOut(new TerminalSafeWriter(Console.Out));
        Console.SetError(new TerminalSafeWriter(rawError));
        return rawError;
    }

    private static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value ?? "";
        }

        // Line breaks and tabs are storemon's own layout; split around them so that they pass.
        if (value.AsSpan().IndexOfAny('\n', '\t') < 0)
        {
            return StoreIds.Printable(value);
        }

        var shown = new StringBuilder(value.Length);
        var start = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || value[i] is '\n' or '\t')
            {
                shown.Append(StoreIds.Printable(value[start..i]));
                if (i < value.Length)
                {
                    shown.Append(value[i]);
                }

                start = i + 1;
            }
        }

        return shown.ToString();
    }
}
