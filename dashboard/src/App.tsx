// Picks the page for the hash route; everything but the login sits in the sidebar shell.
import { lazy, Suspense } from "react";
import { Loading } from "./components/ui/Feedback";
import { CalendarPage } from "./features/calendar/CalendarPage";
import { useRoute } from "./lib/router";
import { useSession } from "./lib/session";
import { LoginPage } from "./routes/LoginPage";
import { Shell } from "./routes/Shell";

const LeadsPage = lazy(() => import("./features/leads/LeadsPage"));
const LeadPage = lazy(() => import("./features/leads/LeadPage"));
const CallsPage = lazy(() => import("./features/calls/CallsPage"));
const CallPage = lazy(() => import("./features/calls/CallPage"));
const SettingsPage = lazy(() => import("./features/settings/SettingsPage"));
const TestCallPage = lazy(() => import("./features/testcall/TestCallPage"));

function Page({ route }: { route: string[] }) {
  const [section, id] = route;
  switch (section) {
    case "leads":
      return id ? <LeadPage id={id} /> : <LeadsPage />;
    case "calls":
      return id ? <CallPage id={id} /> : <CallsPage />;
    case "settings":
      return <SettingsPage />;
    case "test-call":
      return <TestCallPage />;
    default:
      return <CalendarPage />;
  }
}

export function App() {
  const { state } = useSession();
  const route = useRoute();
  if (state.status === "loading") return <Loading />;
  if (state.status === "anonymous") return <LoginPage />;
  return (
    <Shell section={route[0] ?? "calendar"}>
      <Suspense fallback={<Loading />}>
        <Page route={route} />
      </Suspense>
    </Shell>
  );
}
