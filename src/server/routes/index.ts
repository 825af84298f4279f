/** Every /api route: each resource declares its routes (permission, schemas, handler) in its own file. */
import type { ServerContext } from "../context.ts";
import type { AnyRoute } from "../http.ts";
import { alertsRoutes } from "./alerts.ts";
import { assessmentsRoutes } from "./assessments.ts";
import { auditRoutes } from "./audit.ts";
import { authRoutes } from "./auth.ts";
import { casesRoutes } from "./cases.ts";
import { entitiesRoutes } from "./entities.ts";
import { exercisesRoutes } from "./exercises.ts";
import { investRoutes } from "./invest.ts";
import { modelsRoutes } from "./models.ts";
import { recoverRoutes } from "./recover.ts";
import { resultsRoutes } from "./results.ts";
import { risksRoutes } from "./risks.ts";
import { simulationsRoutes } from "./simulations.ts";
import { systemRoutes } from "./system.ts";
import { twinRoutes } from "./twin.ts";
import { usersRoutes } from "./users.ts";

export function apiRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    ...systemRoutes(ctx),
    ...authRoutes(ctx),
    ...modelsRoutes(ctx),
    ...entitiesRoutes(ctx),
    ...risksRoutes(ctx),
    ...assessmentsRoutes(ctx),
    ...simulationsRoutes(ctx),
    ...recoverRoutes(ctx),
    ...investRoutes(ctx),
    ...resultsRoutes(ctx),
    ...alertsRoutes(ctx),
    ...usersRoutes(ctx),
    ...auditRoutes(ctx),
    ...twinRoutes(ctx),
    ...casesRoutes(ctx),
    ...exercisesRoutes(ctx),
  ];
}
