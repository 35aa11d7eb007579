export { EventHub, PublishedEvent } from './event-hub.js';
export type { EventListener, GatewayEvent, GatewayEventType } from './event-hub.js';
export { gatewayEventsRoute } from './events-route.js';
export type { EventsRouteOptions } from './events-route.js';
