// Three test collections at a time, not xUnit's default of one per core (2 on CI): three of the four host collections
// of the pinned instant (ConsoleHostCollections.cs) run side by side and the fourth starts when one ends. A browser test
// spends most of its time waiting (page loads, Blazor circuit start, a page's polling), so on CI's run of 2026-12-07 the
// project used about a third of a core on average with two at a time; three hosts and Chromiums at once leave a 2-core
// machine that others share more room than four. The collections that move a host's clock (DisableParallelization)
// still run alone, after the rest.
[assembly: CollectionBehavior(MaxParallelThreads = 3)]
