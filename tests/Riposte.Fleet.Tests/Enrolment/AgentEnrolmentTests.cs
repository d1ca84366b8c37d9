using System.Text.Json;
using Riposte.Fleet.Registry;

namespace Riposte.Fleet.Enrolment;

public sealed class AgentEnrolmentTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("riposte-enrol-").FullName;

    private FleetPaths Paths => FleetPaths.For(_root, Path.Combine(_root, "var", "state.db"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static EnrolledAgent Agent(string id, params string[] groups) => new(id, groups, new Dictionary<string, string>());

    [Fact]
    public void Adding_an_agent_writes_owner_only_files_with_plaintext_only_in_credentials()
    {
        var enrolment = new AgentEnrolment(Paths);
        var result = enrolment.Add(Agent("001", "web") with { Labels = new Dictionary<string, string> { ["env"] = "prod" } });
        result.NewPassword.ShouldBeTrue();
        result.CredentialsFile.ShouldBe(Paths.AgentCredentials("001"));

        foreach (var file in (string[])[Paths.Registry, Paths.Secrets, Paths.Authorization, Paths.ManagerCredentials, Paths.AgentCredentials("001")])
        {
            File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
        }

        File.GetUnixFileMode(Paths.Directory).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var agent = FleetCredentials.Read(Paths.AgentCredentials("001"));
        var manager = FleetCredentials.Read(Paths.ManagerCredentials);
        agent.User.ShouldBe("agent-001");
        manager.User.ShouldBe(FleetNames.ManagerUser);
        foreach (var file in (string[])[Paths.Registry, Paths.Secrets, Paths.Authorization])
        {
            var text = File.ReadAllText(file);
            text.ShouldNotContain(agent.Password!);
            text.ShouldNotContain(manager.Password!);
        }

        var secrets = FleetSecrets.Load(Paths.Secrets);
        BCrypt.Net.BCrypt.Verify(agent.Password, secrets.Find("agent-001")).ShouldBeTrue();
        secrets.Find("agent-001")!.ShouldStartWith("$2a$11$");
        enrolment.Registry().Find("001")!.Labels["env"].ShouldBe("prod");
        Directory.GetFiles(Paths.Directory, "*.tmp", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public void A_second_agent_needs_no_other_plaintext_and_keeps_the_others_passwords()
    {
        var enrolment = new AgentEnrolment(Paths);
        enrolment.Add(Agent("001"));
        var manager = File.ReadAllText(Paths.ManagerCredentials);

        // The other plaintexts are not needed: removing 001's credentials file (copied to its host) changes nothing.
        File.Move(Paths.AgentCredentials("001"), Path.Combine(_root, "001.copied"));
        enrolment.Add(Agent("002")).NewPassword.ShouldBeTrue();
        var auth = File.ReadAllText(Paths.Authorization);
        auth.ShouldContain("agent-001");
        auth.ShouldContain("agent-002");
        File.ReadAllText(Paths.ManagerCredentials).ShouldBe(manager);
        FleetSecrets.Load(Paths.Secrets).Find("agent-001").ShouldNotBeNull();
        BCrypt.Net.BCrypt.Verify(FleetCredentials.Read(Path.Combine(_root, "001.copied")).Password, FleetSecrets.Load(Paths.Secrets).Find("agent-001")).ShouldBeTrue();
    }

    [Fact]
    public void Re_adding_keeps_working_credentials_and_rekey_replaces_them()
    {
        var enrolment = new AgentEnrolment(Paths);
        enrolment.Add(Agent("001"));
        var before = FleetCredentials.Read(Paths.AgentCredentials("001"));
        enrolment.Add(Agent("001", "db")).NewPassword.ShouldBeFalse();
        FleetCredentials.Read(Paths.AgentCredentials("001")).ShouldBe(before);
        enrolment.Registry().Find("001")!.Groups.ShouldBe(["db"]);

        enrolment.Rekey("001").NewPassword.ShouldBeTrue();
        var after = FleetCredentials.Read(Paths.AgentCredentials("001"));
        after.Password.ShouldNotBe(before.Password);
        BCrypt.Net.BCrypt.Verify(before.Password, FleetSecrets.Load(Paths.Secrets).Find("agent-001")).ShouldBeFalse();
        BCrypt.Net.BCrypt.Verify(after.Password, FleetSecrets.Load(Paths.Secrets).Find("agent-001")).ShouldBeTrue();
        Should.Throw<InvalidOperationException>(() => enrolment.Rekey("003"));
    }

    [Fact]
    public void A_wazuh_agent_has_no_nats_user_and_remove_deletes_everything_of_an_agent()
    {
        var enrolment = new AgentEnrolment(Paths);
        enrolment.Add(Agent("001"));
        enrolment.Add(Agent("001") with { Transport = AgentTransport.Wazuh, WazuhVersion = "4.2.3" }).CredentialsFile.ShouldBeNull();
        File.Exists(Paths.AgentCredentials("001")).ShouldBeFalse();
        File.ReadAllText(Paths.Authorization).ShouldNotContain("agent-001");
        FleetSecrets.Load(Paths.Secrets).Find("agent-001").ShouldBeNull();
        enrolment.Registry().Find("001")!.WazuhVersion.ShouldBe("4.2.3");

        enrolment.Add(Agent("002"));
        enrolment.Remove("002").ShouldBeTrue();
        enrolment.Remove("002").ShouldBeFalse();
        File.Exists(Paths.AgentCredentials("002")).ShouldBeFalse();
        File.ReadAllText(Paths.Authorization).ShouldNotContain("agent-002");
        enrolment.Registry().Find("002").ShouldBeNull();
    }

    [Fact]
    public void Nothing_unvalidated_is_enrolled()
    {
        var enrolment = new AgentEnrolment(Paths);
        Should.Throw<ArgumentException>(() => enrolment.Add(Agent("001", "web\" }, { user: \"evil")));
        Should.Throw<ArgumentException>(() => enrolment.Add(Agent("001") with { WazuhVersion = "4.2.3" }));
        Should.Throw<ArgumentException>(() => enrolment.Remove("*"));
        File.Exists(Paths.Registry).ShouldBeFalse();

        // A hand-edited registry cannot smuggle a name into the authorization either.
        enrolment.Add(Agent("001"));
        File.WriteAllText(Paths.Registry, """{"agents":[{"id":"001","groups":["a\"b"]}]}""");
        Should.Throw<FormatException>(() => enrolment.Add(Agent("002")));
    }

    [Fact]
    public void A_symbolic_link_in_place_of_a_fleet_file_is_refused_and_its_target_untouched()
    {
        var enrolment = new AgentEnrolment(Paths);
        enrolment.Add(Agent("001"));
        var victim = Path.Combine(_root, "victim");
        File.WriteAllText(victim, "keep");
        File.Delete(Paths.Authorization);
        File.CreateSymbolicLink(Paths.Authorization, victim);
        Should.Throw<IOException>(() => enrolment.Add(Agent("002"))).Message.ShouldContain("symbolic link");
        File.ReadAllText(victim).ShouldBe("keep");

        File.Delete(Paths.Authorization);
        File.CreateSymbolicLink(Paths.AgentCredentials("003"), victim);
        Should.Throw<IOException>(() => enrolment.Add(Agent("003")));
        File.ReadAllText(victim).ShouldBe("keep");
    }

    [Fact]
    public void A_rewrite_keeps_the_files_owner_so_nats_server_can_still_read_it()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root to chown");
        var enrolment = new AgentEnrolment(Paths);
        enrolment.Add(Agent("001"));
        LChown(Paths.Authorization, 65534, 65534);
        enrolment.Add(Agent("002"));
        var status = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u:%g %a", Paths.Authorization]) { RedirectStandardOutput = true })!;
        status.StandardOutput.ReadToEnd().Trim().ShouldBe("65534:65534 600");
        File.ReadAllText(Paths.Authorization).ShouldContain("agent-002");
    }

    [Fact]
    public void Secrets_files_with_anything_but_bcrypt_hashes_are_refused()
    {
        Directory.CreateDirectory(Paths.Directory);
        File.WriteAllText(Paths.Secrets, JsonSerializer.Serialize(new { users = new Dictionary<string, string> { ["agent-001"] = "plaintext" } }));
        Should.Throw<FormatException>(() => FleetSecrets.Load(Paths.Secrets));
    }

    [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "lchown", SetLastError = true)]
    private static extern int LChownNative(string path, uint owner, uint group);

    private static void LChown(string path, uint owner, uint group) => LChownNative(path, owner, group).ShouldBe(0);
}
