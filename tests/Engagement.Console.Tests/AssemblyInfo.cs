// Four test collections at a time, not xUnit's default of one per core (2 on CI): the four host collections of the
// pinned instant (ConsoleHostFixture.cs) then all run side by side. A browser test spends most of its time waiting
// (page loads, Blazor circuit start, a page's polling), so on CI's run of 2026-12-07 the project used about a third of
// a core on average with two at a time; the collections that move a host's clock (DisableParallelization) still run
// alone, after the rest.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
