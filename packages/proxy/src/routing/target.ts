/**
 * The proxy's names for the routes the shared config compiler resolves (RouteTable in
 * @mlx-gateway/shared): a target is one place a request can be sent, a resolution the ordered
 * targets of a requested name.
 */
export type {
  RouteMatchKind as MatchKind,
  RouteResolution as Resolution,
  RouteTarget as Target,
} from '@mlx-gateway/shared/config';
