namespace Riposte.State;

/// <summary>Where a timeout entry is in its life: recorded before acting, confirmed, or being reverted.</summary>
public enum EntryStatus
{
    /// <summary>
    /// Intent recorded before the program was told <c>continue</c>. Recovery treats it as active: its delete still
    /// runs, because response programs are idempotent and a block that may exist must not be forgotten.
    /// </summary>
    Pending,

    /// <summary>The add program finished; the block is in place until it expires.</summary>
    Active,

    /// <summary>The delete program has been started; a crash now means the delete runs again.</summary>
    Deleting,
}
