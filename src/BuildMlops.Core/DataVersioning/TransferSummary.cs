namespace BuildMlops.DataVersioning;

/// <summary>What a push or pull did.</summary>
public sealed record TransferSummary(int Transferred, long Bytes, int Skipped, int Failed)
{
    public string Describe(string verb) =>
        $"{verb} {Transferred} object{(Transferred == 1 ? "" : "s")} ({Bytes:N0} bytes), {Skipped} already there{(Failed > 0 ? $", {Failed} failed" : "")}";
}
