using System.Text.RegularExpressions;

namespace Riposte.Cli.ScriptTest;

public sealed class FindingsTests
{
    [Fact]
    public void Codes_are_unique_stable_kebab_case_with_a_sentence()
    {
        Findings.All.Select(k => k.Code).ShouldBeUnique();
        foreach (var kind in Findings.All)
        {
            Regex.IsMatch(kind.Code, "^[a-z0-9]+(-[a-z0-9]+)*$").ShouldBeTrue(kind.Code);
            kind.Sentence.ShouldNotBeNullOrWhiteSpace();
        }

        Findings.NoNewline.Code.ShouldBe("no-newline");
        Findings.NoNewline.Sentence.ShouldBe("the control line was not terminated by a newline; execd waits for one");
    }

    [Fact]
    public void Only_findings_that_do_not_break_execd_are_warnings()
    {
        Findings.All.Where(k => k.Severity == FindingSeverity.Warning).Select(k => k.Code).ShouldBe(
            ["keys-empty", "slow-start", "stderr-output", "extra-stdout", "log-format"], ignoreOrder: true);
    }

    [Fact]
    public void The_same_finding_in_two_steps_is_reported_once_with_both_steps()
    {
        var list = new FindingList();
        list.Add(Findings.StderrOutput, 1, "\"oops\"");
        list.Add(Findings.StderrOutput, 3, "\"oops\"");
        list.Add(Findings.NonzeroExit, 3, "exit code 1 on delete");

        list.Items.Count.ShouldBe(2);
        list.Items[0].Steps.ShouldBe([1, 3]);
        list.Items[0].Message.ShouldEndWith("(\"oops\")");
        list.Conforms.ShouldBeFalse();
    }
}
