using Engagement.Domain.Members;

namespace Engagement.Domain.Points;

/// <summary>
/// The member's points debt with when each part of it arose (<see cref="MemberState.PointsDebtPieces"/>), so that points
/// added to a lot pay only debt that arose before the lot expired (CONTRACT.md §1.1: a late event has the effect it would
/// have had in order; §2: a lot's points expire at its expiry instant). In order, a lot that had expired before a debt
/// arose was gone (its points to <c>points.expire</c>) and could not pay it; a late purchase whose lot expired before its
/// arrival pays only what it would have met while live.
/// </summary>
/// <remarks>
/// <see cref="MemberState.PointsDebt"/> stays the total owed. The pieces account for all of it but an undated part: the debt
/// of a state stored before pieces were kept, which any lot pays, first, as before. At most <see cref="MaxPieces"/> pieces
/// are kept, oldest first; one more merges the two closest in time into one dated at the later instant, so a merge may
/// leave a debt that fewer lots can pay, never more. A lot pays only debt <em>dated</em> before its expiry, and the dates are
/// conservative, not exact: new debt is never dated before the newest piece, a refund's never before the newest refund
/// of any kept order, summarised or not (<see cref="PointsWallet.Reverse"/>), a correction's loss no earlier than its order's last refund
/// (else its purchase) and those two; a late run may so date debt later
/// than in order (the member charged). PointsLateEventOracleTests finds none dated earlier in its histories (no proof).
/// </remarks>
public static class PointsDebtBook
{
    /// <summary>The most debt pieces a member keeps (state stays bounded).</summary>
    public const int MaxPieces = 8;

    /// <summary>
    /// Adds <paramref name="points"/> (≥ 0) to the debt, arisen at <paramref name="aroseAt"/> (event time), dated no earlier
    /// than the newest piece already owed: merged into the newest piece when dated at its instant, else the new newest piece
    /// (PointsDebtBookOweTests).
    /// </summary>
    internal static void Owe(MemberState state, long points, DateTimeOffset aroseAt)
    {
        if (points <= 0)
        {
            return;
        }

        var pieces = state.PointsDebtPieces;
        // Never dated before the newest piece: a debt owed after another was owed (a late refund that finds the lots an
        // on-time refund already took) may, in order, have arisen no earlier than that one did. Because the date is clamped
        // to no earlier than the newest piece's, a new debt merges into that piece or is appended after it; it never falls
        // between pieces, so no insert is needed (and the pieces, in time order as Normalise leaves them on load, stay so).
        var at = pieces.Count > 0 && pieces[^1].AroseAt > aroseAt ? pieces[^1].AroseAt : aroseAt.ToUniversalTime();
        if (pieces.Count > 0 && pieces[^1].AroseAt == at)
        {
            pieces[^1] = pieces[^1] with { Points = pieces[^1].Points + points };
        }
        else
        {
            pieces.Add(new DebtPiece(points, at));
        }

        state.PointsDebt += points;
        if (pieces.Count > MaxPieces)
        {
            MergeClosest(pieces);
        }
    }

    /// <summary>The debt a lot expiring at <paramref name="expiresAt"/> may pay: the undated part and what arose before then.</summary>
    internal static long Payable(MemberState state, DateTimeOffset expiresAt)
    {
        var payable = Undated(state);
        foreach (var piece in state.PointsDebtPieces)
        {
            if (piece.AroseAt >= expiresAt)
            {
                break;
            }

            payable += piece.Points;
        }

        return payable;
    }

    /// <summary>
    /// Pays up to <paramref name="points"/> of the debt from a lot expiring at <paramref name="expiresAt"/>: the undated part
    /// first, then the pieces that arose before that instant, oldest first. Returns the points paid.
    /// </summary>
    internal static long Pay(MemberState state, long points, DateTimeOffset expiresAt)
    {
        if (points <= 0 || state.PointsDebt <= 0)
        {
            return 0;
        }

        // Never more than the total owed, whatever the pieces say (a stored row is normalised on load: Normalise).
        points = Math.Min(points, state.PointsDebt);
        var paid = Math.Min(points, Undated(state));
        var pieces = state.PointsDebtPieces;
        var i = 0;
        while (paid < points && i < pieces.Count && pieces[i].AroseAt < expiresAt)
        {
            var take = Math.Min(points - paid, pieces[i].Points);
            paid += take;
            if (take == pieces[i].Points)
            {
                pieces.RemoveAt(i);
            }
            else
            {
                pieces[i] = pieces[i] with { Points = pieces[i].Points - take };
                i++;
            }
        }

        state.PointsDebt -= paid;
        return paid;
    }

    /// <summary>
    /// Makes stored pieces (a row restored from a backup or edited by hand) safe to pay from: a negative total becomes 0;
    /// pieces of no points are dropped; the rest are put in time order (UTC); dated debt beyond the total is dropped from
    /// the oldest pieces (the total is what is owed; the newer dates let fewer lots pay); more than
    /// <see cref="MaxPieces"/> are merged as <see cref="Owe"/> merges. Called when the state is read.
    /// </summary>
    internal static void Normalise(MemberState state)
    {
        state.PointsDebt = Math.Max(0, state.PointsDebt);
        var pieces = state.PointsDebtPieces;
        if (pieces.Count == 0)
        {
            return; // most members: nothing to put right, nothing allocated
        }

        pieces.RemoveAll(p => p.Points <= 0);
        var ordered = pieces.Select(p => p with { AroseAt = p.AroseAt.ToUniversalTime() }).OrderBy(p => p.AroseAt).ToList();
        pieces.Clear();
        pieces.AddRange(ordered);
        // Summed without overflow: a corrupt row with huge pieces is trimmed to the total, not refused with an OverflowException.
        var excess = pieces.Aggregate(0m, (sum, p) => sum + p.Points) - state.PointsDebt;
        while (excess > 0 && pieces.Count > 0)
        {
            var take = (long)Math.Min(excess, pieces[0].Points);
            excess -= take;
            if (take == pieces[0].Points)
            {
                pieces.RemoveAt(0);
            }
            else
            {
                pieces[0] = pieces[0] with { Points = pieces[0].Points - take };
            }
        }

        while (pieces.Count > MaxPieces)
        {
            MergeClosest(pieces);
        }
    }

    /// <summary>The debt no piece accounts for: a state's stored before pieces were kept.</summary>
    private static long Undated(MemberState state)
    {
        long dated = 0;
        foreach (var piece in state.PointsDebtPieces)
        {
            dated += piece.Points;
        }

        return Math.Max(0, state.PointsDebt - dated);
    }

    /// <summary>Merges the two neighbouring pieces closest in time into one dated at the later of the two.</summary>
    private static void MergeClosest(List<DebtPiece> pieces)
    {
        var best = 0;
        for (var i = 1; i < pieces.Count - 1; i++)
        {
            if (pieces[i + 1].AroseAt - pieces[i].AroseAt < pieces[best + 1].AroseAt - pieces[best].AroseAt)
            {
                best = i;
            }
        }

        pieces[best + 1] = pieces[best + 1] with { Points = pieces[best].Points + pieces[best + 1].Points };
        pieces.RemoveAt(best);
    }
}
