namespace BuildMlops.Cache;

/// <summary>How a cache object is placed in the workspace (config <c>link_types</c>, tried in order).</summary>
public enum LinkType
{
    /// <summary>A copy-on-write clone (btrfs, XFS, APFS): instant, no extra space, and an edit cannot reach the cache.</summary>
    Reflink,

    /// <summary>A second name for the cache object: instant, but the workspace file is made read-only so an edit cannot corrupt the cache.</summary>
    Hardlink,

    /// <summary>A full copy: always works, costs time and space.</summary>
    Copy,
}
