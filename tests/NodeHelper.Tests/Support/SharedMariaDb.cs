using NodeHelper.Stack.Servers;

namespace NodeHelper.Tests.Support;

[CollectionDefinition(Name)]
public sealed class SharedMariaDb : ICollectionFixture<MariaDbFixture>
{
    public const string Name = "MariaDB";
}
