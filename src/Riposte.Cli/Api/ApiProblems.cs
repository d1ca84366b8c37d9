using Microsoft.AspNetCore.Http;

namespace Riposte.Cli.Api;

/// <summary>RFC 7807 problem responses (<c>application/problem+json</c>), each with a <c>detail</c> a person can act on.</summary>
internal static class ApiProblems
{
    public static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult TooLarge() => Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large",
        $"the request body is larger than {ApiServer.MaxBodyBytes / 1024} KiB");

    public static IResult UnsupportedMediaType(string detail) => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail);

    public static IResult Unprocessable(string detail) => Problem(StatusCodes.Status422UnprocessableEntity, "Request not valid", detail);

    public static IResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
