import { useCallback, useEffect, useState } from "react";
import type { PublicUser } from "../../../src/contracts/api.ts";
import { call } from "../api.ts";
import type { Ctx } from "../context.ts";
import { FieldError, type FieldErrors, fieldErrors } from "./Forms.tsx";

type User = PublicUser;
type Role = User["role"];
const ROLES: Role[] = ["viewer", "operator", "analyst", "admin"];
/** The role a select's value names (the select only offers ROLES). */
const roleOf = (v: string): Role => ROLES.find((r) => r === v) ?? "viewer";

/** User management (admins): create, change role, disable or enable, delete. */
export function UsersPage({ ctx }: { ctx: Ctx }) {
  const [users, setUsers] = useState<User[]>([]);
  const [form, setForm] = useState<{ username: string; password: string; role: Role }>({
    username: "",
    password: "",
    role: "viewer",
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [rowError, setRowError] = useState<{ user: string; message: string } | null>(null);
  const [note, setNote] = useState("");
  const load = useCallback(() => call("GET /api/users").then((r) => setUsers(r.users)), []);
  useEffect(() => {
    load().catch(() => {});
  }, [load]);

  const change = async (u: User, patch: Partial<{ role: Role; disabled: boolean }>) => {
    setRowError(null);
    try {
      await call("PATCH /api/users/:username", { params: { username: u.username }, body: patch });
      setNote(`${u.username}: ${patch.role ? `role ${patch.role}` : patch.disabled ? "disabled" : "enabled"}`);
      await load();
    } catch (e) {
      setRowError({ user: u.username, message: fieldErrors(e).general || (e as Error).message });
    }
  };

  return (
    <section>
      <h2>Users</h2>
      <form
        className="form"
        aria-label="create user"
        onSubmit={async (e) => {
          e.preventDefault();
          setErrors({});
          try {
            await call("POST /api/users", { body: form });
            setNote(`user ${form.username} created`);
            setForm({ username: "", password: "", role: "viewer" });
            await load();
          } catch (err) {
            const f = fieldErrors(err);
            setErrors({ ...f.fields, ...(f.general ? { _: f.general } : {}) });
          }
        }}
      >
        <label>
          Username
          <input
            name="new-username"
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            autoComplete="off"
          />
          <FieldError errors={errors} name="username" />
        </label>
        <label>
          Password (12 characters or more)
          <input
            name="new-password"
            type="password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            autoComplete="new-password"
          />
          <FieldError errors={errors} name="password" />
        </label>
        <label>
          Role
          <select
            name="new-role"
            value={form.role}
            onChange={(e) => setForm({ ...form, role: roleOf(e.target.value) })}
          >
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
          <FieldError errors={errors} name="role" />
        </label>
        <div>
          <button type="submit">Create user</button>
          <FieldError errors={errors} name="_" />
        </div>
      </form>
      {note && <p className="ok-text">{note}</p>}
      <table className="users">
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>State</th>
            <th>Changed</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((u) => {
            const self = u.username === ctx.me.username;
            return (
              <tr key={u.username} data-user={u.username}>
                <td>
                  {u.username}
                  {self ? " (you)" : ""}
                </td>
                <td>
                  <select
                    aria-label={`role of ${u.username}`}
                    value={u.role}
                    disabled={self}
                    onChange={(e) => change(u, { role: roleOf(e.target.value) })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>{u.disabled ? "disabled" : "active"}</td>
                <td className="muted">{u.updatedAt.slice(0, 16).replace("T", " ")}</td>
                <td>
                  {!self && (
                    <button type="button" onClick={() => change(u, { disabled: !u.disabled })}>
                      {u.disabled ? "Enable" : "Disable"}
                    </button>
                  )}{" "}
                  {!self && (
                    <button
                      type="button"
                      onClick={async () => {
                        if (!window.confirm(`Delete user ${u.username}?`)) return;
                        try {
                          await call("DELETE /api/users/:username", { params: { username: u.username } });
                          await load();
                        } catch (e) {
                          setRowError({ user: u.username, message: (e as Error).message });
                        }
                      }}
                    >
                      Delete
                    </button>
                  )}
                  {rowError?.user === u.username && <span className="field-error"> {rowError.message}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted">
        Changing or disabling a user ends their sessions at once. You cannot disable, demote or delete yourself.
      </p>
    </section>
  );
}
