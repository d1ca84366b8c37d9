namespace Riposte.Matching.OsRegex;

/// <summary>
/// Behavioural port of wazuh-analysisd 4.x's <c>_OS_Regex</c> (<c>src/os_regex/os_regex_execute.c</c>): the
/// matcher for one <c>|</c>-separated alternative of a compiled OS_Regex pattern.
/// </summary>
/// <remarks>
/// <para>
/// This is deliberately not a regular-expression engine. Wazuh's matcher scans the subject once, takes
/// <c>+</c>/<c>*</c> lazily or greedily depending on whether the next token fits the current byte, and can
/// only revisit the last four such decisions. Patterns that a backtracking engine would match can therefore
/// fail here (and the other way round), and rules written for Wazuh rely on exactly these outcomes, so the
/// control flow below mirrors the C step for step; do not "simplify" it.
/// </para>
/// <para>
/// The program is the compiled alternative: pattern bytes, ASCII-lowercased, each escape stored as a backslash
/// followed by its code from <see cref="OsCharClasses"/>, both parentheses stored as <c>(</c>, and at least
/// <see cref="ProgramPadding"/> zero bytes after the end. The C code peeks up to three bytes past a token and
/// relies on the terminator being there; the padding gives those reads the same zero the C string would.
/// The subject is the input as UTF-8 with one terminating zero byte and no other zero byte.
/// </para>
/// </remarks>
internal static class OsRegexEngine
{
    /// <summary>Returned instead of C's NULL. The match position itself can legitimately be -1 (see below).</summary>
    internal const int NoMatch = int.MinValue;

    /// <summary>Number of zero bytes a program must carry after its last token.</summary>
    internal const int ProgramPadding = 4;

    /// <summary>The alternative started with <c>^</c> (Wazuh's <c>BEGIN_SET</c>).</summary>
    internal const int BeginFlag = 1;

    /// <summary>The alternative ended with an unescaped <c>$</c> (Wazuh's <c>END_SET</c>).</summary>
    internal const int EndFlag = 2;

    private const byte Terminator = 0;
    private const byte BackslashByte = (byte)'\\';
    private const byte GroupByte = (byte)'(';

    /// <summary>
    /// Runs one alternative against <paramref name="subject"/> and returns what <c>_OS_Regex</c> returns: the
    /// offset of the last byte it matched (C's <c>r_code</c>), or <see cref="NoMatch"/>.
    /// </summary>
    /// <param name="program">The compiled alternative, zero padded.</param>
    /// <param name="flags"><see cref="BeginFlag"/> and/or <see cref="EndFlag"/>.</param>
    /// <param name="subject">UTF-8 input followed by a single zero byte.</param>
    /// <param name="captureMode">
    /// Reproduces the one control-flow difference Wazuh has when it tracks capture groups (pattern compiled with
    /// <c>OS_RETURN_SUBSTRING</c> and containing a group); analysisd's <c>OS_Regex</c> never does.
    /// </param>
    /// <remarks>
    /// The returned offset can be -1: after a failed optional (<c>*</c>) token at the first byte the C code
    /// steps its subject pointer back by one and records that as the match position. It is still a match.
    /// </remarks>
    internal static int Execute(ReadOnlySpan<byte> program, int flags, ReadOnlySpan<byte> subject, bool captureMode)
    {
        var beginSet = (flags & BeginFlag) != 0;
        var endSet = (flags & EndFlag) != 0;

        var matchEnd = 0;
        var quantifierActive = false;
        var retryFrom = NoMatch;
        var pt = 0;

        // The four saved "took the next token early" decisions (pt_error / pt_error_str in the C code).
        var savedPt0 = NoMatch;
        var savedPt1 = NoMatch;
        var savedPt2 = NoMatch;
        var savedPt3 = NoMatch;
        int savedSt0 = 0, savedSt1 = 0, savedSt2 = 0, savedSt3 = 0;

        int st;
        for (st = 0; subject[st] != Terminator; ++st)
        {
            // Inside the loop the subject byte is never the terminator, so C's "END_SET and at end of
            // string" alternative of these two returns can never hold here.
            var token = program[pt];
            if (token == Terminator)
            {
                if (!endSet)
                {
                    return matchEnd;
                }
            }
            else if (token == GroupByte)
            {
                // A group marker consumes no input; only one is skipped per step, as in the C code.
                pt++;
                if (program[pt] == Terminator && !endSet)
                {
                    return matchEnd;
                }
            }

            if (program[pt] == BackslashByte)
            {
                if (OsCharClasses.IsInClass(program[pt + 1], subject[st]))
                {
                    var next = pt + 2;
                    if (!IsQuantifier(program[next]))
                    {
                        pt = next;
                        if (retryFrom == NoMatch)
                        {
                            retryFrom = st;
                        }

                        matchEnd = st;
                        continue;
                    }

                    // '*' already counts as satisfied before its first repetition.
                    if (program[next] == '*')
                    {
                        quantifierActive = true;
                    }

                    if (quantifierActive)
                    {
                        // Peek at the token after the quantifier: if the current byte also fits it, move on to
                        // that token right away (lazy) but remember this spot so a later failure can resume
                        // the repetition (greedy).
                        next++;
                        var advance = -1;
                        if (program[next] == GroupByte)
                        {
                            next++;
                        }

                        if (program[next] == Terminator)
                        {
                            advance = 1;
                        }
                        else if (program[next] == BackslashByte)
                        {
                            if (OsCharClasses.IsInClass(program[next + 1], subject[st]))
                            {
                                advance = IsQuantifier(program[next + 2]) ? 0 : 2;
                            }
                        }
                        else if (program[next] == OsCharClasses.Fold(subject[st]))
                        {
                            quantifierActive = false;
                            advance = 1;
                        }

                        if (advance >= 0)
                        {
                            // Note: C's r_code is deliberately left alone on this path.
                            if (program[next] == Terminator)
                            {
                                continue;
                            }

                            next += advance;

                            if (savedPt0 == NoMatch)
                            {
                                savedPt0 = pt;
                                savedSt0 = st;
                            }
                            else if (savedPt1 == NoMatch)
                            {
                                savedPt1 = pt;
                                savedSt1 = st;
                            }
                            else if (savedPt2 == NoMatch)
                            {
                                savedPt2 = pt;
                                savedSt2 = st;
                            }
                            else if (savedPt3 == NoMatch)
                            {
                                savedPt3 = pt;
                                savedSt3 = st;
                            }

                            pt = next;
                        }
                    }
                    else
                    {
                        // First repetition of a '+': stay on this token.
                        quantifierActive = true;
                    }

                    matchEnd = st;
                    continue;
                }

                if ((program[pt + 2] == Terminator || program[pt + 3] == Terminator) && quantifierActive && matchEnd != NoMatch)
                {
                    matchEnd = st;
                    if (!endSet)
                    {
                        return matchEnd;
                    }

                    // With '$' set this falls through to the failure handling below, exactly as in C.
                }
                else if (program[pt + 2] == '+' && quantifierActive)
                {
                    // The repetition is over: retry the same byte against the following token.
                    pt += 3;
                    st--;
                    quantifierActive = false;
                    continue;
                }
                else if (program[pt + 2] == '*')
                {
                    pt += 3;
                    st--;
                    matchEnd = st;
                    quantifierActive = false;
                    continue;
                }

                quantifierActive = false;
            }
            else if (program[pt] == OsCharClasses.Fold(subject[st]))
            {
                pt++;
                if (retryFrom == NoMatch)
                {
                    retryFrom = st;
                }

                matchEnd = st;
                continue;
            }

            // Failure: resume the most recently saved quantifier decision, newest slot first.
            if (savedPt3 != NoMatch)
            {
                pt = savedPt3;
                st = savedSt3;
                savedPt3 = NoMatch;
                continue;
            }

            if (savedPt2 != NoMatch)
            {
                pt = savedPt2;
                st = savedSt2;
                savedPt2 = NoMatch;
                continue;
            }

            if (savedPt1 != NoMatch)
            {
                pt = savedPt1;
                st = savedSt1;
                savedPt1 = NoMatch;
                continue;
            }

            if (savedPt0 != NoMatch)
            {
                pt = savedPt0;
                st = savedSt0;
                savedPt0 = NoMatch;
                continue;
            }

            if (beginSet)
            {
                return NoMatch;
            }

            // Restart the whole alternative one byte after where the abandoned attempt began.
            if (retryFrom != NoMatch)
            {
                st = retryFrom;
                retryFrom = NoMatch;
            }

            pt = 0;
            matchEnd = NoMatch;
        }

        if (captureMode)
        {
            // With capture tracking on, Wazuh first skips any run of trailing optional tokens up to a group
            // marker before deciding whether the pattern was exhausted.
            while (program[pt] != GroupByte && program[pt] != Terminator)
            {
                if (program[pt] == BackslashByte && program[pt + 2] == '*')
                {
                    pt += 3;
                }
                else
                {
                    break;
                }
            }
        }

        return ReachedEndOfPattern(program, pt, quantifierActive) ? matchEnd : NoMatch;
    }

    private static bool IsQuantifier(byte value) => value is (byte)'+' or (byte)'*';

    /// <summary>
    /// The final "was the whole pattern consumed" test. In C this is a single short-circuit expression whose
    /// operands advance the pattern pointer as a side effect, so a later operand starts where a failed earlier
    /// one stopped; the sequential form below preserves that.
    /// </summary>
    private static bool ReachedEndOfPattern(ReadOnlySpan<byte> program, int pt, bool quantifierActive)
    {
        if (AtEnd(program, ref pt))
        {
            return true;
        }

        // A trailing repeated token that has already matched, optionally followed by one optional token.
        if (program[pt] == BackslashByte && quantifierActive)
        {
            pt += 2;
            if (IsQuantifier(program[pt]))
            {
                pt++;
                if (AtEnd(program, ref pt))
                {
                    return true;
                }

                if (program[pt] == BackslashByte)
                {
                    pt += 2;
                    if (program[pt] == '*')
                    {
                        pt++;
                        if (AtEnd(program, ref pt))
                        {
                            return true;
                        }
                    }
                }
            }
        }

        // A single trailing optional token.
        if (program[pt] == BackslashByte)
        {
            pt += 2;
            if (program[pt] == '*')
            {
                pt++;
                if (AtEnd(program, ref pt))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>C's <c>ENDOFFILE</c>: skips one group marker, then tests for the terminator.</summary>
    private static bool AtEnd(ReadOnlySpan<byte> program, ref int pt)
    {
        if (program[pt] == GroupByte)
        {
            pt++;
        }

        return program[pt] == Terminator;
    }
}
