using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// A redemption keeps its redemptionId and storeId by the kept-id rule (KeptIds: a bounded key once the id's stored JSON
/// passes a GUID's 36 bytes) and no detail, so a member's remembered redemptions fit its row whatever characters a till's
/// ids hold (MemberStateSizes' remarks); a retry still gets its first answer word for word, rebuilt from the id it sends,
/// and a refusal names the id as sent, never the key. The member's clock is pinned (<see cref="TestMember"/>'s fixed start).
/// </summary>
public class RedemptionKeptIdTests
{
    /// <summary>The storage's JSON naming (web defaults), as the old code wrote a record.</summary>
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>The storage's JSON options (web defaults, the stored-state encoder: an emoji as two \uXXXX escapes).</summary>
    private static readonly JsonSerializerOptions Storage = new(JsonSerializerDefaults.Web) { Encoder = StoredStateText.Encoder };

    /// <summary>
    /// A 128-code-point id: 127 times <paramref name="filler"/> and <paramref name="kind"/>. Its opening fills the key's
    /// (KeptIds.PrefixBytes: two <c>+</c>, two <c>兑</c> or one emoji), so its key is the longest, 35 stored bytes.
    /// </summary>
    private static string Id(char kind, string filler) => string.Concat(Enumerable.Repeat(filler, 127)) + kind;

    [Theory]
    [InlineData("+")] // six stored characters each (\u002B)
    [InlineData("😀")] // twelve each: a surrogate pair, both escaped
    [InlineData("兑")] // one each stored, six by the rule's bound
    public void ARetryWithTheSameLongIdGetsTheFirstAnswerWordForWordAndSpendsNothing(string filler)
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        var (id, store) = (Id('R', filler), Id('S', filler));

        var first = RedemptionPolicy.Redeem(member.State, id, 500, 5.00m, "kettle", member.Options, member.Now, storeId: store);
        var retry = RedemptionPolicy.Redeem(member.State, id, 500, 5.00m, "kettle", member.Options, member.Now.AddMinutes(5), storeId: store);

        Assert.Equal((RedemptionStatuses.Accepted, false), (first.Status, first.Replayed));
        Assert.Equal($"redemption {id} of 500 points (5.00 CNY) + 5.00 CNY cash for reward kettle", first.Detail);
        Assert.Equal((RedemptionStatuses.Accepted, true, first.Detail, first.PointsValue, first.CashAmount), (retry.Status, retry.Replayed, retry.Detail, retry.PointsValue, retry.CashAmount));
        Assert.Equal(1500, member.Balance);

        var record = Assert.Single(member.State.Redemptions);
        Assert.Equal((KeptIds.Key(id), KeptIds.Key(store), (string?)null), (record.RedemptionId, record.StoreId, record.Detail));
        Assert.Equal((35, 35), (KeptIds.StoredBytesAtMost(record.RedemptionId), KeptIds.StoredBytesAtMost(record.StoreId!))); // the longest key
        Assert.True(RedemptionPolicy.Accepted(member.State, id, "kettle", store, member.Now));
        Assert.False(RedemptionPolicy.Accepted(member.State, id, "kettle", Id('T', filler), member.Now));
        Assert.False(RedemptionPolicy.Accepted(member.State, id, "kettle", null, member.Now));
    }

    [Theory]
    [InlineData("+")]
    [InlineData("😀")]
    public void TheSameLongIdForAnotherRequestIsRefusedNamingTheIdAsSent(string filler)
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        var (id, store, catalogueId) = (Id('R', filler), Id('S', filler), Id('C', filler));
        Assert.True(RedemptionPolicy.Redeem(member.State, id, 500, null, null, member.Options, member.Now, storeId: store).Accepted);
        Assert.True(RedemptionPolicy.Redeem(member.State, catalogueId, 100, null, "kettle", member.Options, member.Now, storeId: "S001").Accepted);

        var otherPoints = RedemptionPolicy.Redeem(member.State, id, 400, null, null, member.Options, member.Now, storeId: store);
        var otherStore = RedemptionPolicy.Redeem(member.State, id, 500, null, null, member.Options, member.Now, storeId: "S002");
        var otherReward = RedemptionPolicy.Redeem(member.State, catalogueId, 100, null, "mug", member.Options, member.Now, storeId: "S001");

        Assert.Equal((RedemptionStatuses.RedemptionIdReused, "points"), (otherPoints.Status, otherPoints.Field));
        Assert.StartsWith($"redemptionId {id} was already used for another redemption: points 500, not 400;", otherPoints.Detail, StringComparison.Ordinal);
        Assert.Equal((RedemptionStatuses.RedemptionIdReused, "storeId"), (otherStore.Status, otherStore.Field));
        Assert.Equal($"redemptionId {id} was already used at store {KeptIds.Key(store)}, not at store S002", otherStore.Detail);
        Assert.Equal((RedemptionStatuses.Invalid, RedemptionPolicy.ReusedIdField), (otherReward.Status, otherReward.Field));
        Assert.StartsWith($"redemptionId {catalogueId} was already used for a different request: 100 points for reward kettle at store S001, not 100 points for reward mug at store S001;",
            otherReward.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(KeptIds.Key(id), otherPoints.Detail!, StringComparison.Ordinal);
        Assert.DoesNotContain(KeptIds.Key(catalogueId), otherReward.Detail!, StringComparison.Ordinal);
        Assert.Equal(1400, member.Balance);
    }

    [Theory]
    [InlineData("+")]
    [InlineData("😀")]
    public void APointsRedemptionAtALongStoreIdIsReplayedWithItsFirstDetail(string filler)
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        var (id, store) = (Id('R', filler), Id('S', filler));
        var first = RedemptionPolicy.Redeem(member.State, id, 500, null, null, member.Options, member.Now, storeId: store);

        var retry = RedemptionPolicy.Redeem(member.State, id, 500, null, null, member.Options, member.Now.AddMinutes(5), storeId: store);

        Assert.Equal((RedemptionStatuses.Accepted, false), (first.Status, first.Replayed));
        Assert.Contains(store, first.Detail!, StringComparison.Ordinal); // the store as sent, never its key
        Assert.Equal((RedemptionStatuses.Accepted, true, first.Detail, first.PointsValue), (retry.Status, retry.Replayed, retry.Detail, retry.PointsValue));
        Assert.Equal(1500, member.Balance);
    }

    [Theory]
    [InlineData("+")]
    [InlineData("😀")]
    public void ACatalogueRetryAtTheSameLongStoreForOtherPointsNamesTheStoreAsSent(string filler)
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        var (id, store) = (Id('R', filler), Id('S', filler));
        Assert.True(RedemptionPolicy.Redeem(member.State, id, 100, null, "kettle", member.Options, member.Now, storeId: store).Accepted);

        var other = RedemptionPolicy.Redeem(member.State, id, 200, null, "kettle", member.Options, member.Now, storeId: store);

        Assert.Equal((RedemptionStatuses.Invalid, RedemptionPolicy.ReusedIdField), (other.Status, other.Field));
        Assert.StartsWith($"redemptionId {id} was already used for a different request: 100 points for reward kettle at store {store}, not 200 points for reward kettle at store {store};",
            other.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(KeptIds.Key(store), other.Detail!, StringComparison.Ordinal);
    }

    [Fact]
    public void AStoreLessPointsRedemptionIsReplayedForAnyStoreWithItsFirstDetail()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        var id = Id('R', "+");
        var first = member.Redeem(id, 500);

        var atAStore = RedemptionPolicy.Redeem(member.State, id, 500, null, null, member.Options, member.Now, storeId: Id('S', "+"));

        Assert.Equal((RedemptionStatuses.Accepted, true, first.Detail), (atAStore.Status, atAStore.Replayed, atAStore.Detail));
        Assert.Equal($"redemption {id} of 500 points (5.00 CNY)", first.Detail);
        Assert.Equal(1500, member.Balance);
    }

    /// <summary>
    /// A record as the code before kept ids wrote it, through the stored-state encoder (web naming, an emoji as
    /// <c>\uD83D\uDE00</c>): the redemptionId as sent, 128 code points, and a detail in an older wording than the one a
    /// retry would rebuild. Its retry with that id is still its replay and answers the STORED detail, word for word.
    /// </summary>
    [Fact]
    public void ARecordStoredBeforeIdsWereKeptStillAnswersItsRetryAndRefusesAnotherRequest()
    {
        var id = Id('R', "😀");
        var stored = string.Concat(Enumerable.Repeat(@"\uD83D\uDE00", 127)) + "R";
        Assert.Equal($"\"{stored}\"", JsonSerializer.Serialize(id, Storage)); // what the storage wrote for it
        var oldJson = """
            {"redemptionId":"ID","status":"accepted","points":500,"cashAmount":null,"rewardId":"kettle","storeId":"S001","pointsValue":5.00,
             "detail":"redeemed 500 points (5.00 CNY) for kettle, redemption ID","at":"2026-06-01T12:00:00+08:00"}
            """.Replace("ID", stored, StringComparison.Ordinal);
        var old = JsonSerializer.Deserialize<RedemptionRecord>(oldJson, Storage)!;
        Assert.Equal(id, old.RedemptionId);
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        member.State.Redemptions.Add(old);

        var retry = RedemptionPolicy.Redeem(member.State, id, 500, null, "kettle", member.Options, member.Now, storeId: "S001");
        var other = RedemptionPolicy.Redeem(member.State, id, 500, null, "mug", member.Options, member.Now, storeId: "S001");

        Assert.Equal((RedemptionStatuses.Accepted, true, $"redeemed 500 points (5.00 CNY) for kettle, redemption {id}", 5.00m),
            (retry.Status, retry.Replayed, retry.Detail, retry.PointsValue));
        Assert.Equal((RedemptionStatuses.Invalid, RedemptionPolicy.ReusedIdField), (other.Status, other.Field));
        Assert.StartsWith($"redemptionId {id} was already used for a different request: 500 points for reward kettle at store S001,", other.Detail, StringComparison.Ordinal);
        Assert.True(RedemptionPolicy.Accepted(member.State, id, "kettle", "S001", member.Now));
        Assert.Same(old, RedemptionPolicy.Remembered(member.State, KeptIds.Key(id)));
        Assert.Equal(2000, member.Balance);
    }

    [Fact]
    public void AnAdjustmentMakerIsKeptUnderItsKeyAndFoundByTheIdAsSentOrAsStoredBefore()
    {
        var member = new TestMember();
        var (id, older) = (Id('A', "😀"), Id('B', "+"));
        var (li, wang) = (new AdjustmentActor("Li Na", "support"), new AdjustmentActor("Wang Wei", "admin"));
        member.State.AdjustmentActors = [new AdjustmentActorRecord(older, wang, member.Now)]; // as stored before: the id as sent

        AdjustmentActors.Remember(member.State, id, li, member.Now.AddMinutes(1));

        Assert.Equal(KeptIds.Key(id), member.State.AdjustmentActors[^1].AdjustmentId);
        Assert.True(KeptIds.StoredBytesAtMost(member.State.AdjustmentActors[^1].AdjustmentId) <= 35);
        Assert.Equal((li, wang), (AdjustmentActors.Of(member.State, id), AdjustmentActors.Of(member.State, older)));
        Assert.Null(AdjustmentActors.Of(member.State, Id('A', "+")));
    }

    [Fact]
    public void TheKeptIdRuleKeepsShortIdsAsSentAndKeysLongOnesIdempotently()
    {
        var emoji = Id('R', "😀");

        Assert.Equal("R-0001", KeptIds.Key("R-0001"));
        Assert.Equal("6a1f0f1e-2b59-4d43-9f7c-8c2a5a0f4b11", KeptIds.Key("6a1f0f1e-2b59-4d43-9f7c-8c2a5a0f4b11"));
        Assert.StartsWith("😀~", KeptIds.Key(emoji), StringComparison.Ordinal); // one emoji fills the opening's 12 stored bytes
        Assert.Equal((35, 35, 24), (KeptIds.StoredBytesAtMost(KeptIds.Key(emoji)), KeptIds.StoredBytesAtMost(KeptIds.Key(Id('R', "+"))), KeptIds.StoredBytesAtMost(KeptIds.Key("R" + emoji))));
        Assert.Equal(KeptIds.Key(emoji), KeptIds.Key(KeptIds.Key(emoji)));
        Assert.True(KeptIds.Same(emoji, KeptIds.Key(emoji)));
        Assert.False(KeptIds.Same(emoji, Id('R', "+")));
        Assert.True(KeptIds.SameOrBothAbsent(null, null));
        Assert.False(KeptIds.SameOrBothAbsent(null, "S001"));
        Assert.False(KeptIds.SameOrBothAbsent("S001", null));
        Assert.Equal(Domain.Orders.OrderIds.Key(emoji), KeptIds.Key(emoji)); // one rule for order ids and the others
    }
}
