using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Portal.App.Data;
using Portal.Web.Security;

namespace Portal.Web.Features.Account;

/// <summary>What a sign-in attempt came to; <see cref="RetryAfter"/> is set when the attempt was throttled.</summary>
internal sealed record SignInOutcome(bool Succeeded, TimeSpan? RetryAfter = null);

/// <summary>
/// Password sign-in that does the same work and says the same thing whether the account exists, the password is
/// wrong or the account is locked.
/// </summary>
/// <remarks>
/// Guards against account enumeration. Identity checks a password only for an account that exists and is not locked,
/// so an unknown address answered in milliseconds and a real one in the time of a PBKDF2 hash, and only real
/// accounts said "locked". Here every failed attempt verifies exactly one password hash (a dummy one when there is
/// no account to check against, or the account is locked) and gets <see cref="FailedMessage"/>.
/// </remarks>
internal sealed class PortalSignIn(
    SignInManager<PortalUser> signIn,
    UserManager<PortalUser> users,
    IPasswordHasher<PortalUser> hasher,
    SignInThrottle throttle)
{
    public const string FailedMessage =
        "Wrong e-mail or password. After 5 wrong passwords in a row an account is locked for 15 minutes.";

    private static string? s_dummyHash;

    public async Task<SignInOutcome> PasswordSignInAsync(string email, string password, bool remember)
    {
        email = email.Trim();
        if (!throttle.TryAcquire(email, out var retryAfter))
        {
            return new SignInOutcome(false, retryAfter);
        }

        var user = await users.FindByNameAsync(email);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            // The same hash work as a real check, with a result that is never used.
            var dummy = LazyInitializer.EnsureInitialized(ref s_dummyHash, () => hasher.HashPassword(new PortalUser(), RandomNumberGenerator.GetHexString(32)));
            hasher.VerifyHashedPassword(user ?? new PortalUser(), dummy, password);
            return new SignInOutcome(false);
        }

        var result = await signIn.PasswordSignInAsync(user, password, remember, lockoutOnFailure: true);
        return new SignInOutcome(result.Succeeded);
    }
}
