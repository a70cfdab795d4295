// Who is logged in: loaded from /auth/me at start, set by login, cleared by logout or any 401.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { ApiError, client, setCsrfToken, setUnauthorizedHandler, unwrap } from "./http";
import type { Me } from "./types";

type State = { status: "loading" } | { status: "anonymous" } | { status: "ready"; me: Me };

interface Session {
  state: State;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: "loading" });
  const accept = useCallback((me: Me) => {
    setCsrfToken(me.csrf_token);
    setState({ status: "ready", me });
  }, []);
  useEffect(() => {
    setUnauthorizedHandler(() => setState({ status: "anonymous" }));
    unwrap(client.GET("/api/v1/auth/me"))
      .then(accept)
      .catch(() => setState({ status: "anonymous" }));
  }, [accept]);
  const login = useCallback(
    async (email: string, password: string) => accept(await unwrap(client.POST("/api/v1/auth/login", { body: { email, password } }))),
    [accept],
  );
  const logout = useCallback(async () => {
    try {
      await unwrap(client.POST("/api/v1/auth/logout"));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    setCsrfToken("");
    setState({ status: "anonymous" });
  }, []);
  const value = useMemo(() => ({ state, login, logout }), [state, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The logged-in user and business; only for pages rendered behind the login. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== "ready") throw new Error("useMe without a session");
  return state.me;
}
