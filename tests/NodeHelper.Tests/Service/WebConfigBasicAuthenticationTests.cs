using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Exporter.Web;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary>basic_auth_users' checks themselves: the same work for every name, and a bounded queue in front of bcrypt.</summary>
public sealed class WebConfigBasicAuthenticationTests
{
    [Fact]
    public void KnownAndUnknownUsersOfEveryCostRunTheSameBcrypts()
    {
        var cheap = BCrypt.Net.BCrypt.HashPassword("a", 4);
        var dear = BCrypt.Net.BCrypt.HashPassword("b", 5);
        using var authentication = new BasicAuthentication(new Dictionary<string, string> { ["cheap"] = cheap, ["dear"] = dear, ["also-cheap"] = BCrypt.Net.BCrypt.HashPassword("c", 4) }, NullLogger.Instance);

        foreach (var user in new[] { "cheap", "dear", "also-cheap", "nobody" })
        {
            authentication.HashesFor(user).Select(h => h[4..6]).Should().Equal(["04", "05"], $"{user}: one bcrypt per distinct cost, whoever asks");
        }

        authentication.HashesFor("cheap").Should().Contain(cheap);
        authentication.HashesFor("dear").Should().Contain(dear);
        authentication.HashesFor("nobody").Should().NotContain([cheap, dear]);
    }

    [Fact]
    public async Task ACheckThatFindsTheQueueFullIsRefusedWithoutABcrypt()
    {
        var hash = BCrypt.Net.BCrypt.HashPassword("right", 4);
        using var entered = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        var calls = 0;
        bool Verify(string password, string against)
        {
            Interlocked.Increment(ref calls);
            entered.Release();
            release.Wait();
            return BCrypt.Net.BCrypt.Verify(password, against);
        }

        using var authentication = new BasicAuthentication(new Dictionary<string, string> { ["prometheus"] = hash }, NullLogger.Instance, maxWaiting: 0, TimeSpan.FromMinutes(5), Verify);

        var first = Task.Run(() => authentication.IsAuthorizedAsync(Request("prometheus", "right")));
        await entered.WaitAsync();
        var second = await authentication.IsAuthorizedAsync(Request("prometheus", "wrong"));

        second.Should().BeFalse("one check runs and none may wait: refused at once");
        Volatile.Read(ref calls).Should().Be(1, "the refused check ran no bcrypt");
        release.Set();
        (await first).Should().BeTrue();
        (await authentication.IsAuthorizedAsync(Request("prometheus", "right"))).Should().BeTrue("remembered: no queue");
        (await authentication.IsAuthorizedAsync(Request("prometheus", "wrong"))).Should().BeFalse("the queue is free again and the bcrypt says no");
        Volatile.Read(ref calls).Should().Be(2);
    }

    private static DefaultHttpContext Request(string user, string password)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = WebConfigFiles.Basic(user, password).ToString();
        return context;
    }
}
