import { fleetThroughFaults } from './fleet-through-faults.js';

fleetThroughFaults('sqlite');
