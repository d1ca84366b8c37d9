namespace Riposte.Cli.ScriptTest;

/// <summary>The alert sent when no <c>--alert</c> is given.</summary>
internal static class DefaultAlert
{
    /// <summary>
    /// A real-looking sshd brute-force alert (rule 5712, srcip 203.0.113.45, agent 001), the second line of
    /// tests/TestData/wazuh/sample-alerts.jsonl. The source address is from TEST-NET-3 (RFC 5737), so a program that
    /// really blocks it during a test blocks nobody.
    /// </summary>
    public const string Json = """
        {"timestamp":"2025-11-27T10:11:57.904+0000","rule":{"level":10,"description":"sshd: brute force trying to get access to the system. Non existent user.","id":"5712","mitre":{"id":["T1110"],"tactic":["Credential Access"],"technique":["Brute Force"]},"frequency":8,"firedtimes":1,"mail":false,"groups":["syslog","sshd","authentication_failures"],"gdpr":["IV_35.7.d","IV_32.2"],"hipaa":["164.312.b"],"nist_800_53":["SI.4","AU.14","AC.7"],"pci_dss":["11.4","10.2.4","10.2.5"],"tsc":["CC6.1","CC6.8","CC7.2","CC7.3"]},"agent":{"id":"001","name":"web-01","ip":"10.0.1.21"},"manager":{"name":"wazuh-manager"},"id":"1764238317.108876","previous_output":"Nov 27 10:11:53 web-01 sshd[24535]: Invalid user support from 203.0.113.45 port 52353\nNov 27 10:11:51 web-01 sshd[24532]: Invalid user guest from 203.0.113.45 port 52346\nNov 27 10:11:49 web-01 sshd[24529]: Invalid user ubnt from 203.0.113.45 port 52339\nNov 27 10:11:47 web-01 sshd[24526]: Invalid user postgres from 203.0.113.45 port 52332\nNov 27 10:11:45 web-01 sshd[24523]: Invalid user oracle from 203.0.113.45 port 52325\nNov 27 10:11:43 web-01 sshd[24520]: Invalid user test from 203.0.113.45 port 52318\nNov 27 10:11:41 web-01 sshd[24517]: Invalid user admin from 203.0.113.45 port 52311","full_log":"Nov 27 10:11:57 web-01 sshd[24541]: Invalid user user from 203.0.113.45 port 52360","predecoder":{"program_name":"sshd","timestamp":"Nov 27 10:11:57","hostname":"web-01"},"decoder":{"parent":"sshd","name":"sshd"},"data":{"srcip":"203.0.113.45","srcport":"52360","srcuser":"user"},"location":"/var/log/auth.log"}
        """;
}
