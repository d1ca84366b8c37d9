using System.Diagnostics;
using static Riposte.State.StateSamples;

namespace Riposte.State;

/// <summary>Correctness at production scale. Timings are printed for information only: benchmarks own speed.</summary>
public sealed class SqliteStateStoreScaleTests : IDisposable
{
    private readonly TempStateDirectory _dir = new();
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Hundred_thousand_entries_load_complete_and_in_expiry_order()
    {
        const int count = 100_000;
        const int batch = 2_000;
        static string Ip(int i) => $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}";
        // Expiry deliberately not in insertion order.
        static TimeoutEntry Make(int i) => Entry(Ip(i), addedAt: T0.AddSeconds((i * 7919) % 86_400), duration: 600 + (i % 5), offense: 1 + (i % 3));

        var watch = Stopwatch.StartNew();
        await using (var store = await _dir.OpenAsync())
        {
            for (var start = 0; start < count; start += batch)
            {
                await store.UpsertTimeoutsAsync([.. Enumerable.Range(start, batch).Select(Make)], _ct);
            }
        }

        var inserted = watch.Elapsed;
        watch.Restart();
        await using var reopened = await _dir.OpenAsync();
        var all = await reopened.ListTimeoutsAsync(_ct);
        var loaded = watch.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"insert {count} entries in batches of {batch}: {inserted.TotalMilliseconds:F0} ms; reopen + ListTimeouts: {loaded.TotalMilliseconds:F0} ms");

        all.Count.ShouldBe(count);
        (await reopened.CountTimeoutsAsync(_ct)).ShouldBe(count);
        for (var i = 1; i < all.Count; i++)
        {
            var order = all[i - 1].ExpiresAt.CompareTo(all[i].ExpiresAt);
            (order < 0 || (order == 0 && string.CompareOrdinal(all[i - 1].RKey, all[i].RKey) < 0)).ShouldBeTrue($"entries {i - 1} and {i} out of order");
        }

        var byKey = all.ToDictionary(e => e.Keys.Single());
        foreach (var i in new[] { 0, 1, 4_242, 65_535, 65_536, count - 1 })
        {
            byKey[Ip(i)].ShouldMatch(Make(i));
        }

        (await reopened.FindTimeoutsByKeyAsync(Ip(77_777), _ct)).Single().ShouldMatch(Make(77_777));
    }
}
