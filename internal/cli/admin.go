package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/posture-dev/posture/internal/server"
	"github.com/posture-dev/posture/internal/store"
)

const adminLong = `NAME
    posture admin - manage the server's users and API tokens

SYNOPSIS
    posture admin bootstrap --email ADDR [--name NAME] [--url URL]
    posture admin recover --email ADDR [--url URL]
    posture admin users list
    posture admin token create --name NAME --scope SCOPE... [--expires DURATION]
    posture admin token list
    posture admin token revoke ID

    All take --data DIR and --database URL, as posture serve does, and work on the
    same database while the server runs.

DESCRIPTION
    bootstrap      creates the first admin and prints a one-time enrolment link,
                   valid for 1 hour, on which they choose a password and register an
                   authenticator app. Run it again for the same address to get a new
                   link while the admin has not enrolled; it refuses once an enrolled
                   admin exists (manage users on the Users page then).
    recover        break glass for an admin who lost every credential: removes the
                   account's password, authenticator secret and passkeys, signs it
                   out everywhere, and prints a one-time enrolment link (1 hour).
                   Only for active admins; anyone else is helped on the Users page.
                   Whoever can run it can already read the database: it adds no
                   power, and it is audited like everything here.
    users list     shows every user and role.
    token create   creates an API token for a machine and prints it ONCE; only its
                   SHA-256 is stored. Scopes: read, scans:write, metrics:read.
    token revoke   revokes a token at once.

    Every action is written to the audit log; if that fails, nothing is done.

EXIT STATUS
    0 success; 2 error.`

func cliActor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}

// cliAudit records an admin command's action before it happens (fail closed).
func cliAudit(ctx context.Context, a server.Auditor, e *env, action, object, detail string) error {
	err := a.Append(ctx, server.Event{Time: e.now(), Actor: cliActor(), Action: action, Object: object, Outcome: server.OutcomeSuccess, Detail: detail})
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("audit log unavailable, nothing done: %w", err)}
	}
	return nil
}

func newAdmin(e *env) *cobra.Command {
	var df dataFlags
	cmd := &cobra.Command{Use: "admin", Short: "Manage the server's users and API tokens", Long: adminLong}
	df.register(cmd)
	// with opens the store and audit log for one subcommand.
	with := func(cmd *cobra.Command, fn func(ctx context.Context, st *store.Store, a server.Auditor) error) error {
		ctx := cmd.Context()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		_, st, aud, err := df.open(ctx, e, log)
		if err != nil {
			return err
		}
		defer st.Close()
		defer aud.Close()
		return fn(ctx, st, aud)
	}

	var email, name, baseURL string
	bootstrap := &cobra.Command{
		Use:   "bootstrap",
		Short: "Create the first admin and print a one-time enrolment link",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if email == "" {
				return usageError("--email is required")
			}
			return with(cmd, func(ctx context.Context, st *store.Store, a server.Auditor) error {
				users, err := st.ListUsers(ctx)
				if err != nil {
					return err
				}
				var target *store.User
				for i, u := range users {
					if u.Role == store.RoleAdmin && (u.HasPassword || u.HasTOTP) {
						return usageError("an enrolled admin (%s) exists already; add users on the server's Users page (/users)", u.Email)
					}
					if u.Email == store.NormalizeEmail(email) {
						target = &users[i]
					}
				}
				if target != nil && target.Role != store.RoleAdmin {
					return usageError("%s exists with role %s; bootstrap only makes admins", target.Email, target.Role)
				}
				if name == "" {
					name, _, _ = strings.Cut(email, "@")
				}
				if err := cliAudit(ctx, a, e, "bootstrap", "user:"+store.NormalizeEmail(email), "first admin and enrolment link"); err != nil {
					return err
				}
				if target == nil {
					u, err := st.CreateUser(ctx, store.UserInput{Name: name, Email: email, Role: store.RoleAdmin})
					if errors.Is(err, store.ErrInvalid) {
						return usageError("%v", err)
					}
					if err != nil {
						return err
					}
					target = &u
				}
				secret, hash := server.NewEnrolmentSecret()
				expires := e.now().Add(time.Hour)
				if err := st.CreateEnrolment(ctx, target.ID, hash, expires); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "Admin %s (user %d). Open this link within an hour to enrol; it works once:\n\n  %s/enrol?token=%s\n\n",
					target.Email, target.ID, strings.TrimRight(baseURL, "/"), secret)
				return nil
			})
		},
	}
	bootstrap.Flags().StringVar(&email, "email", "", "the admin's email address")
	bootstrap.Flags().StringVar(&name, "name", "", "the admin's name (default: the address's local part)")
	bootstrap.Flags().StringVar(&baseURL, "url", "https://localhost:8443", "the server's address as browsers reach it")

	var recoverEmail, recoverURL string
	recoverCmd := &cobra.Command{
		Use:   "recover",
		Short: "Reset a locked-out admin's credentials and print a one-time enrolment link",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if recoverEmail == "" {
				return usageError("--email is required")
			}
			return with(cmd, func(ctx context.Context, st *store.Store, a server.Auditor) error {
				u, err := st.UserByEmail(ctx, recoverEmail)
				if errors.Is(err, store.ErrNotFound) {
					return usageError("no account for %s", store.NormalizeEmail(recoverEmail))
				} else if err != nil {
					return err
				}
				switch {
				case u.Role != store.RoleAdmin:
					return usageError("%s is a %s, not an admin: an admin issues their new link on the Users page", u.Email, u.Role)
				case u.Disabled:
					return usageError("%s is disabled", u.Email)
				}
				object := "user:" + strconv.FormatInt(u.ID, 10)
				if err := cliAudit(ctx, a, e, "user.recover", object, "credentials reset, sessions revoked, enrolment link issued"); err != nil {
					return err
				}
				if err := st.ResetCredentials(ctx, u.ID); err != nil {
					return err
				}
				secret, hash := server.NewEnrolmentSecret()
				if err := st.CreateEnrolment(ctx, u.ID, hash, e.now().Add(time.Hour)); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "Admin %s (user %d): password, authenticator and passkeys removed, signed out everywhere.\nOpen this link within an hour to enrol again; it works once:\n\n  %s/enrol?token=%s\n\n",
					u.Email, u.ID, strings.TrimRight(recoverURL, "/"), secret)
				return nil
			})
		},
	}
	recoverCmd.Flags().StringVar(&recoverEmail, "email", "", "the admin's email address")
	recoverCmd.Flags().StringVar(&recoverURL, "url", "https://localhost:8443", "the server's address as browsers reach it")

	users := &cobra.Command{Use: "users", Short: "Manage users"}
	users.AddCommand(&cobra.Command{
		Use: "list", Short: "List users", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return with(cmd, func(ctx context.Context, st *store.Store, _ server.Auditor) error {
				list, err := st.ListUsers(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tSTATE\tCREATED")
				for _, u := range list {
					state := "active"
					switch {
					case u.Disabled:
						state = "disabled"
					case !u.Enrolled():
						state = "not enrolled"
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, state, u.CreatedAt.Format(time.RFC3339))
				}
				return tw.Flush()
			})
		},
	})

	token := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	var tname string
	var scopes []string
	var expires time.Duration
	create := &cobra.Command{
		Use: "create", Short: "Create an API token (printed once)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if tname == "" || len(scopes) == 0 {
				return usageError("--name and at least one --scope are required")
			}
			scopes, err := server.NormalizeScopes(scopes)
			if err != nil {
				return usageError("%v", err)
			}
			if expires <= 0 || expires > server.MaxTokenLife {
				return usageError("--expires must be between 1s and 366 days")
			}
			return with(cmd, func(ctx context.Context, st *store.Store, a server.Auditor) error {
				if err := cliAudit(ctx, a, e, "token.create", "token:"+tname, "scopes "+strings.Join(scopes, " ")); err != nil {
					return err
				}
				secret, hash := server.NewAPIToken()
				tok, err := st.CreateToken(ctx, store.TokenInput{Hash: hash, Name: tname, Scopes: scopes, CreatedBy: cliActor(), ExpiresAt: e.now().Add(expires)})
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "Token %d %q, scopes %s, expires %s. It is shown once; store it in a secret manager:\n",
					tok.ID, tok.Name, strings.Join(tok.Scopes, " "), tok.ExpiresAt.Format(time.RFC3339))
				fmt.Fprintln(e.stdout, secret)
				return nil
			})
		},
	}
	create.Flags().StringVar(&tname, "name", "", "what the token is for (e.g. ci-payments)")
	create.Flags().StringSliceVar(&scopes, "scope", nil, "scope: read, scans:write, metrics:read (repeatable)")
	create.Flags().DurationVar(&expires, "expires", 90*24*time.Hour, "lifetime")
	token.AddCommand(create)
	token.AddCommand(&cobra.Command{
		Use: "list", Short: "List API tokens (never their secrets)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return with(cmd, func(ctx context.Context, st *store.Store, _ server.Auditor) error {
				list, err := st.ListTokens(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tEXPIRES\tLAST USED\tSTATE")
				for _, t := range list {
					state, used := "active", "never"
					switch {
					case !t.RevokedAt.IsZero():
						state = "revoked"
					case !e.now().Before(t.ExpiresAt):
						state = "expired"
					}
					if !t.LastUsedAt.IsZero() {
						used = t.LastUsedAt.Format(time.RFC3339)
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, strings.Join(t.Scopes, " "), t.ExpiresAt.Format(time.RFC3339), used, state)
				}
				return tw.Flush()
			})
		},
	})
	token.AddCommand(&cobra.Command{
		Use: "revoke ID", Short: "Revoke an API token", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usageError("token ID must be a number (see posture admin token list)")
			}
			return with(cmd, func(ctx context.Context, st *store.Store, a server.Auditor) error {
				if _, err := st.GetToken(ctx, id); errors.Is(err, store.ErrNotFound) {
					return usageError("no token %d", id)
				}
				if err := cliAudit(ctx, a, e, "token.revoke", fmt.Sprintf("token:%d", id), ""); err != nil {
					return err
				}
				if err := st.RevokeToken(ctx, id, e.now()); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "token %d revoked\n", id)
				return nil
			})
		},
	})
	cmd.AddCommand(bootstrap, recoverCmd, users, token)
	return cmd
}
