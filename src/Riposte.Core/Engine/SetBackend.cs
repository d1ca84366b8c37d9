using Riposte.Backends;

namespace Riposte.Engine;

/// <summary>The kernel set behind one of Riposte's own blocking programs (<c>nft-drop</c>, <c>ipset-drop</c>).</summary>
/// <param name="Backend">The set itself: listing and changes.</param>
/// <param name="Batcher">Coalesces changes from concurrent runs into one transaction.</param>
/// <param name="InProcess">Apply the program's changes in-process instead of spawning it (the fast path); reconciliation runs either way.</param>
public sealed record SetBackend(IBlockBackend Backend, BlockBatcher Batcher, bool InProcess = true);
