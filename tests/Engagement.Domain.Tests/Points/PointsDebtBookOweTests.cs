using Engagement.Domain.Members;
using Engagement.Domain.Points;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// <see cref="PointsDebtBook.Owe"/> dates new debt no earlier than the newest piece, so it always lands on the newest end:
/// merged into the newest piece when dated at its instant, else a new newest piece. Nothing is ever inserted between
/// pieces (the pieces stay in time order, and a lot pays the oldest first).
/// </summary>
public class PointsDebtBookOweTests
{
    /// <summary>
    /// Seeded runs of debt owed at instants before, at and after the newest piece (a late refund's or correction's),
    /// paid by lots of any expiry, past the bound of <see cref="PointsDebtBook.MaxPieces"/>: after each <c>Owe</c> the
    /// new points are in the newest piece, dated at the later of their instant and the newest piece's, and the pieces are
    /// strictly in time order and sum to the total.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void NewDebtAlwaysLandsOnTheNewestPiece(int seed)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 1, 1, 16, 0, 0, TimeSpan.Zero); // midnight of 2 Jan in Shanghai
        var state = new MemberState();
        for (var step = 0; step < 400; step++)
        {
            var at = start.AddHours(random.Next(0, 24 * 60)).ToOffset(TimeSpan.FromHours(random.Next(3) * 4));
            if (random.Next(4) == 0)
            {
                PointsDebtBook.Pay(state, random.Next(1, 300), at);
            }
            else
            {
                var pieces = state.PointsDebtPieces;
                var newest = pieces.Count > 0 ? pieces[^1] : null;
                var points = random.Next(1, 200);
                var dated = newest is not null && newest.AroseAt > at ? newest.AroseAt : at.ToUniversalTime();
                var mergesNewest = newest is not null && newest.AroseAt == dated && pieces.Count <= PointsDebtBook.MaxPieces;
                var before = pieces.Count;

                PointsDebtBook.Owe(state, points, at);

                Assert.Equal(dated, pieces[^1].AroseAt);
                Assert.True(pieces[^1].Points >= points);
                if (mergesNewest)
                {
                    Assert.Equal((before, newest!.Points + points), (pieces.Count, pieces[^1].Points));
                }
            }

            var all = state.PointsDebtPieces;
            Assert.True(all.Count <= PointsDebtBook.MaxPieces);
            Assert.Equal(state.PointsDebt, all.Sum(p => p.Points));
            Assert.All(all.Zip(all.Skip(1)), p => Assert.True(p.First.AroseAt < p.Second.AroseAt));
        }
    }
}
