using Prover.Node.Storage;
using Prover.Node.Tests.Validation;
using Xunit;

namespace Prover.Node.Host.Tests.Transport;

/// <summary>The <c>atx-sync</c> bench's routine, run small so the bench cannot rot: an epoch of three identities'
/// initial ATXs synced by an empty node in each mode, and a next epoch synced by a node that holds the first.</summary>
public sealed class AtxSyncThroughputTests(AtxWorld world) : IClassFixture<AtxWorld>
{
    [Fact]
    public async Task An_empty_node_syncs_an_epoch_of_distinct_smeshers_atxs_sharing_one_poet_proof_in_every_bench_mode()
    {
        using var epoch = await AtxEpoch.BuildAsync(world, 3, TransportTestKit.Timeout(60));
        Assert.Equal(3, epoch.Store.AtxIdsInEpoch(epoch.PublishEpoch).Count);
        Assert.Equal(3, epoch.Ids.Select(id => epoch.Store.GetAtx(id)!.SmesherId).Distinct().Count());
        Assert.All(epoch.Ids, id => Assert.Equal(AtxValidity.Valid, epoch.Store.GetAtx(id)!.Validity));

        await using var a = await AtxSyncThroughput.StartServerAsync(world, epoch);
        foreach (var mode in new[] { AtxSyncMode.Fetch, AtxSyncMode.NoPost, AtxSyncMode.Full })
        {
            // SyncOnceAsync throws unless B ends with exactly A's ATXs (and, validating, stores them with the mode's validity).
            var timing = await AtxSyncThroughput.SyncOnceAsync(world, epoch, a, mode, TimeSpan.FromSeconds(60));
            Assert.Equal(3, timing.Report.AtxsAccepted);
            Assert.Equal(1, timing.Report.PoetProofsFetched);
            Assert.True(timing.Elapsed > TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_node_holding_epoch_one_syncs_the_next_epoch_and_the_bench_fails_loudly_when_an_atx_is_missing()
    {
        using var epoch = await AtxEpoch.BuildAsync(world, 2, TransportTestKit.Timeout(60), epochs: 2);
        Assert.Equal(2u, epoch.PublishEpoch);
        Assert.Equal(2, epoch.EarlierIds.Count);
        Assert.All(epoch.Ids, id => Assert.False(epoch.Store.GetAtx(id)!.PreviousAtxId is null));
        await using var a = await AtxSyncThroughput.StartServerAsync(world, epoch);

        var timing = await AtxSyncThroughput.SyncOnceAsync(world, epoch, a, AtxSyncMode.Full, TimeSpan.FromSeconds(60));
        Assert.Equal(2, timing.Report.AtxsFetched);
        Assert.Equal(2, timing.Report.AtxsAccepted);

        // A claims one ATX more than it serves: the sync's count no longer matches and the bench throws.
        epoch.Ids.Add(new Prover.Core.Primitives.AtxId(Enumerable.Repeat((byte)0xee, 32).ToArray()));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AtxSyncThroughput.SyncOnceAsync(world, epoch, a, AtxSyncMode.Fetch, TimeSpan.FromSeconds(60)));
        Assert.Contains("sync of 3 ATXs", error.Message, StringComparison.Ordinal);
    }
}
