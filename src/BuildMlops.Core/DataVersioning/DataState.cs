namespace BuildMlops.DataVersioning;

/// <summary>How tracked data in the workspace compares with its pointer file.</summary>
public enum DataState
{
    /// <summary>The workspace holds exactly the bytes the pointer names.</summary>
    UpToDate,

    /// <summary>The workspace lacks the data (a fresh clone): <c>mlops data checkout</c> or <c>pull</c> restores it.</summary>
    Missing,

    /// <summary>The workspace data differs from the pointer: <c>mlops data add</c> records it, <c>checkout --force</c> discards it.</summary>
    Modified,
}

/// <summary>One pointer's status, and whether the cache has what it needs.</summary>
public sealed record DataStatus(string PointerPath, string DataPath, DataState State, bool InCache, int MissingObjects);
