using System.Collections.Immutable;
using System.Globalization;
using Engagement.Contracts.Offers;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Offers;

/// <summary>The HQ reward catalogue (see <see cref="IRewardCatalogueGrain"/>); rules are <c>RewardItem</c>'s.</summary>
public sealed class RewardCatalogueGrain(
    [PersistentState("reward-catalogue", GrainStorageNames.State)] IPersistentState<OfferState<RewardCatalogue>> state,
    IOptions<ProgramOptions> program,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time)
    : Grain, IRewardCatalogueGrain
{
    public async Task<CataloguePutResult> PutAsync(RewardItemDto item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var tiers = program.Value.Tiers.Keys.ToHashSet(StringComparer.Ordinal);
        var errors = item.ToDomain().Validate(tiers).Select(e => new OfferFieldError(e.Field, e.Message)).ToList();
        var items = state.State.Value.Items;
        var exists = items.ContainsKey(item.RewardId);
        if (!exists && items.Count >= IRewardCatalogueGrain.MaxItems)
        {
            errors.Add(new("rewardId", $"the catalogue holds its maximum of {IRewardCatalogueGrain.MaxItems} items; withdraw or reuse one"));
        }

        if (errors.Count > 0)
        {
            return new CataloguePutResult { Status = CataloguePutResult.Invalid, Errors = errors };
        }

        var stored = item with { UpdatedAt = time.GetUtcNow() };
        await state.SaveAsync(new RewardCatalogue { Items = items.SetItem(item.RewardId, stored) }, this);
        return new CataloguePutResult { Status = exists ? CataloguePutResult.Updated : CataloguePutResult.Created, Item = stored };
    }

    public Task<RewardItemDto?> GetAsync(string rewardId) =>
        Task.FromResult(state.State.Value.Items.GetValueOrDefault(rewardId));

    public Task<RewardQuote> QuoteAsync(string rewardId, long points, decimal cash, string? tier)
    {
        if (state.State.Value.Items.GetValueOrDefault(rewardId) is not { } dto)
        {
            return Task.FromResult(new RewardQuote { Status = RewardQuote.NotFound, Detail = $"The catalogue has no reward '{rewardId}'." });
        }

        var item = dto.ToDomain();
        var quote = new RewardQuote { Status = RewardQuote.Ok, Item = dto };
        if (!item.Active)
        {
            quote = quote with { Status = RewardQuote.Withdrawn, Detail = $"Reward '{rewardId}' has been withdrawn from the catalogue." };
        }
        else if (item.Match(points, cash) is null)
        {
            var options = string.Join("; ", item.PaymentOptions.Select(o => o.Cash == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{o.Points} points")
                : string.Create(CultureInfo.InvariantCulture, $"{o.Points} points + {o.Cash:0.00} CNY")));
            quote = quote with { Status = RewardQuote.PaymentNotOffered, Detail = $"points and cashAmount must be one of the reward's options: {options}" };
        }
        else if (!item.IsEligible(tier))
        {
            quote = quote with { Status = RewardQuote.TierNotEligible, Detail = $"Reward '{rewardId}' is for tiers {string.Join(", ", item.EligibleTiers)}; the member is {tier}." };
        }

        return Task.FromResult(quote);
    }

    public Task<IReadOnlyList<RewardItemDto>> ListAsync()
    {
        IReadOnlyList<RewardItemDto> list = [.. state.State.Value.Items.Values.OrderBy(i => i.RewardId, StringComparer.Ordinal)];
        return Task.FromResult(list);
    }
}

/// <summary>Persisted by <see cref="RewardCatalogueGrain"/>: items by rewardId.</summary>
public sealed record RewardCatalogue
{
    public ImmutableDictionary<string, RewardItemDto> Items { get; init; } = ImmutableDictionary.Create<string, RewardItemDto>(StringComparer.Ordinal);
}
