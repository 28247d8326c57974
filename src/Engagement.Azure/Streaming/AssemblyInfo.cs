using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Engagement.Azure.Tests")]
