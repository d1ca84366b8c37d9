using Riposte.Sdk;

namespace Riposte;

public sealed class WazuhHomeTests
{
    [Theory]
    [InlineData("active-response/bin/firewall-drop", "/var/ossec", "/var/ossec")]
    [InlineData("/var/ossec/active-response/bin/firewall-drop", "/", "/var/ossec")]
    [InlineData("/opt/wazuh/active-response/bin/x", "/tmp", "/opt/wazuh")]
    [InlineData("../ossec/active-response/bin/x", "/var/lib", "/var/ossec")]
    [InlineData("/active-response/bin/x", "/tmp", "/")]
    [InlineData("./riposte-ar", "/srv/home", "/srv/home")]
    [InlineData("my-active-response/bin/x", "/srv/home", "/srv/home")]
    public void Home_is_the_part_before_active_response(string argv0, string cwd, string home) =>
        WazuhHome.Resolve(argv0, cwd).ShouldBe(home);

    [Fact]
    public void The_executable_path_is_the_fallback() =>
        WazuhHome.Resolve("firewall-drop", "/tmp", "/var/ossec/active-response/bin/firewall-drop").ShouldBe("/var/ossec");

    [Fact]
    public void Process_argv0_is_the_first_cmdline_string() =>
        WazuhHome.ProcessArgv0().ShouldNotBeNullOrEmpty();
}
